// The README's example: a day archive read with the client generated from openapi.json.
import createClient from "openapi-fetch";
import type { paths } from "../src/api/schema";

const api = createClient<paths>({ baseUrl: "http://127.0.0.1:8000" });
const { data, error } = await api.GET("/api/v1/archives/{year}/{month}/{day}", {
  params: { path: { year: 2026, month: 11, day: 2 } },
});
if (error) throw new Error(error.detail);
for (const post of data.items) console.log(post.date, post.title, post.source?.name ?? "");
