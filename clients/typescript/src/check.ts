// The five things a frontend does, through the client generated from openapi.json:
// page through posts by cursor, search, create a post, edit it with If-Match (and be refused
// with a stale ETag), read a day archive. Prints one JSON object for the test to check.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

// Node's one global this program uses, declared here rather than pulling in @types/node.
declare const process: { argv: string[] };

const [baseUrl, token] = process.argv.slice(2);
if (!baseUrl || !token) throw new Error("usage: check.js BASE_URL TOKEN");

const reader = createClient<paths>({ baseUrl });
const editor = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });

const listed: string[] = [];
const pages: number[] = [];
let cursor: string | undefined;
do {
  const { data, error } = await reader.GET("/api/v1/posts", {
    params: { query: { per_page: 2, cursor } },
  });
  if (error) throw new Error(`list: ${error.detail}`);
  listed.push(...data.items.map((post) => post.title));
  pages.push(data.items.length);
  cursor = data.next_cursor ?? undefined;
} while (cursor !== undefined);

const found = await reader.GET("/api/v1/search", { params: { query: { q: "Fundstück" } } });
if (found.error) throw new Error(`search: ${found.error.detail}`);

const created = await editor.POST("/api/v1/posts", { body: { title: "Hallo" } });
if (created.error) throw new Error(`create: ${created.error.detail}`);
const id = String(created.data.id);

const read = await editor.GET("/api/v1/posts/{id_or_slug}", {
  params: { path: { id_or_slug: id } },
});
const etag = read.response.headers.get("ETag");
if (read.error || etag === null) throw new Error("read: no post or no ETag");

const edited = await editor.PATCH("/api/v1/posts/{id_or_slug}", {
  params: { path: { id_or_slug: id }, header: { "If-Match": etag } },
  body: { title: "Hallo, Welt" },
});
if (edited.error) throw new Error(`edit: ${edited.error.detail}`);

const stale = await editor.PATCH("/api/v1/posts/{id_or_slug}", {
  params: { path: { id_or_slug: id }, header: { "If-Match": etag } },
  body: { title: "Zu spät" },
});

const day = await reader.GET("/api/v1/archives/{year}/{month}/{day}", {
  params: { path: { year: 2022, month: 1, day: 10 } },
});
if (day.error) throw new Error(`day: ${day.error.detail}`);

console.log(
  JSON.stringify({
    listed,
    pages,
    search: found.data.items.map((hit) => hit.title),
    created: { title: created.data.title, status: created.data.status },
    edited: edited.data.title,
    stale: { status: stale.response.status, detail: stale.error?.detail ?? null },
    day: { label: day.data.label, count: day.data.count, titles: day.data.items.map((p) => p.title) },
  }),
);
