// A new user's first write: only the required field. Fields with defaults (body, status, ...)
// must not be demanded by the generated types.
import type { components } from "./schema.js";

export const minimal: components["schemas"]["PostCreate"] = { title: "Hallo" };
