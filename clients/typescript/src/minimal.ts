// What the generated types must allow and refuse; tsc fails on an unused @ts-expect-error, so
// each refusal below is checked as well.
import type { components } from "./schema.js";

type Schemas = components["schemas"];

// A new user's first write: only the required field. Fields with defaults (body, status, ...)
// must not be demanded.
export const minimal: Schemas["PostCreate"] = { title: "Hallo" };

// @ts-expect-error: a post without a title is refused.
export const untitled: Schemas["PostCreate"] = {};

// A 404's problem carries no `errors`; only a 422's ValidationProblem may.
export function detailOf(problem: Schemas["Problem"]): string {
  // @ts-expect-error: Problem has no errors member.
  const errors: unknown = problem.errors;
  return errors === undefined ? problem.detail : "";
}
