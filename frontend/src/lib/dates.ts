// Dates as the blog shows them: German month names, the site's local days as the API gives
// them ("2022-01-10"), never re-derived from instants here.
export const MONTHS = [
  "Januar", "Februar", "März", "April", "Mai", "Juni",
  "Juli", "August", "September", "Oktober", "November", "Dezember",
];

export interface Day {
  year: number;
  month: number;
  day: number;
}

export function parseDay(iso: string): Day {
  const [year, month, day] = iso.split("-").map(Number);
  return { year, month, day };
}

/** "10. Januar 2022": the date line above each post. */
export function dateLine(iso: string): string {
  const { year, month, day } = parseDay(iso);
  return `${day}. ${MONTHS[month - 1]} ${year}`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${{ 1: "st", 2: "nd", 3: "rd" }[n % 10] ?? "th"}`;
}

/** "Archive for Januar 10th, 2022": the day archive's heading, as the blog's theme writes it. */
export function archiveHeading(iso: string): string {
  const { year, month, day } = parseDay(iso);
  return `Archive for ${MONTHS[month - 1]} ${ordinal(day)}, ${year}`;
}

const pad = (n: number): string => String(n).padStart(2, "0");

export function dayPath(iso: string): string {
  const { year, month, day } = parseDay(iso);
  return `/${year}/${pad(month)}/${pad(day)}/`;
}

export function monthPath(year: number, month: number): string {
  return `/${year}/${pad(month)}/`;
}

/** A post's page: the API's default post_link_template ("day and name", as WordPress). */
export function postPath(post: { date: string | null; slug: string }): string {
  return post.date ? `${dayPath(post.date)}${post.slug}/` : `/post/${post.slug}/`;
}

/** The year, month and day of a path's segments, or null when they are no date. */
export function dayOf(year?: string, month?: string, day?: string): Day | null {
  const parts = [year, month, day ?? "01"];
  if (!parts.every((p) => p !== undefined && /^\d{1,4}$/.test(p))) return null;
  const [y, m, d] = parts.map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return { year: y, month: m, day: d };
}
