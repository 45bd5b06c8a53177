import path from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));

// The app in web/ builds into web/dist, which the API process serves at / (backend/src/api/routes/webApp.ts).
// `@carbon-custody/sdk` is the repository's sdk/ package, used from its sources.
export default defineConfig({
  root: here,
  plugins: [react()],
  resolve: { alias: { "@carbon-custody/sdk": path.resolve(here, "..", "sdk", "src", "index.ts") } },
  build: { outDir: path.resolve(here, "dist"), emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1500 },
  server: { proxy: Object.fromEntries(["/config", "/auth", "/batches", "/orders", "/trades", "/holders", "/requests", "/certificates", "/certificate-documents", "/deals", "/deposits", "/jobs", "/reconciliation", "/health"].map((p) => [p, "http://127.0.0.1:3000"])) },
});
