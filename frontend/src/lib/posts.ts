import type { Post } from "../api/client";

// The body's closing "Weiterlesen" paragraph (the word, then the original's address as a
// link, as the API renders it): the page shows its own "Weiterlesen" link to the original
// instead, so the word is not there twice. Anchored at the end, no nested repetition.
const TRAILING_READ_MORE = /<p>Weiterlesen\s*<a [^>]*>[^<]*<\/a><\/p>\s*$/;

export function bodyHtml(post: Post): string {
  return post.original_url ? post.body_html.replace(TRAILING_READ_MORE, "") : post.body_html;
}

/** The page footer of the blog: "%d Bloggern gefällt das". */
export function likesLabel(likes: number): string {
  if (likes === 0) return "Noch keinem Blogger gefällt das";
  if (likes === 1) return "Einem Blogger gefällt das";
  return `${likes} Bloggern gefällt das`;
}

const STATUS_LABELS: Record<Post["status"], string> = {
  draft: "Entwurf",
  pending: "Zur Prüfung eingereicht",
  scheduled: "Geplant",
  published: "Veröffentlicht",
  trashed: "Im Papierkorb",
};

export function statusLabel(status: Post["status"]): string {
  return STATUS_LABELS[status];
}
