// @ts-check
import { defineConfig } from "astro/config";
import node from "@astrojs/node";

// Every page is rendered on request: the archive changes as editors publish, and the API's
// ETags make a re-render cheap (src/api/client.ts).
export default defineConfig({
  output: "server",
  adapter: node({ mode: "standalone" }),
  // No telemetry, no remote fonts or images: the site runs offline next to the API.
  devToolbar: { enabled: false },
  server: { host: "127.0.0.1", port: 4321 },
});
