import { api } from "../api/client";

/** Tag name → slug: posts name their tags, the tag pages are addressed by slug. */
export async function tagSlugs(): Promise<Map<string, string>> {
  const { data } = await api.GET("/api/v1/tags", { params: { query: { per_page: 100 } } });
  return new Map((data?.items ?? []).map((tag) => [tag.name, tag.slug]));
}
