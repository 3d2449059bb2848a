// The site's one way to the API: a client typed by the generated schema (schema.d.ts).
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Post = components["schemas"]["PostPublic"];
export type DayArchive = components["schemas"]["DayArchive"];
export type MonthArchive = components["schemas"]["MonthArchive"];
export type SearchHit = components["schemas"]["SearchHit"];

/** Where the API answers, for the server and for readers' browsers (the like button). */
export const API_URL = (process.env.PRESSESCHAU_API_URL ?? "http://127.0.0.1:8000").replace(/\/+$/, "");

// The API validates every read with an ETag. Keeping the last body of each URL lets the site
// ask with If-None-Match and re-use it on a 304, so an unchanged archive costs the API no
// rendering and no transfer. Bounded: the oldest entry goes first.
const MAX_ENTRIES = 500;
interface Cached {
  etag: string;
  body: string;
  contentType: string;
}
const cache = new Map<string, Cached>();

export async function cachingFetch(request: Request): Promise<Response> {
  if (request.method !== "GET") return fetch(request);
  const key = request.url;
  const cached = cache.get(key);
  const sent = cached ? new Request(request, { headers: withHeader(request.headers, "If-None-Match", cached.etag) }) : request;
  const response = await fetch(sent);
  if (response.status === 304 && cached) {
    cache.delete(key);
    cache.set(key, cached); // now the newest
    return new Response(cached.body, { status: 200, headers: { "Content-Type": cached.contentType, ETag: cached.etag } });
  }
  const etag = response.headers.get("ETag");
  if (response.status === 200 && etag) {
    const body = await response.text();
    const contentType = response.headers.get("Content-Type") ?? "application/json";
    cache.set(key, { etag, body, contentType });
    if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    return new Response(body, { status: 200, headers: response.headers });
  }
  return response;
}

function withHeader(headers: Headers, name: string, value: string): Headers {
  const copy = new Headers(headers);
  copy.set(name, value);
  return copy;
}

export const api = createClient<paths>({ baseUrl: API_URL, fetch: cachingFetch });
