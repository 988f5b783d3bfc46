/**
 * Vite config. The deployment config is served at `/deployment.json` from the file named by
 * `APP_DEPLOYMENT_FILE` (the devnet writes it), in dev and preview alike; without it, `public/deployment.json`
 * or the inline `VITE_DEPLOYMENT` variable is used.
 */
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";

import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

function serveDeployment(): Plugin {
  const handler = async (req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> => {
    const file = process.env["APP_DEPLOYMENT_FILE"];
    if (file === undefined || req.url?.split("?")[0] !== "/deployment.json") return next();
    try {
      const body = await readFile(file, "utf8");
      res.setHeader("content-type", "application/json");
      res.setHeader("cache-control", "no-store");
      res.end(body);
    } catch {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: `no deployment file at APP_DEPLOYMENT_FILE` }));
    }
  };
  return {
    name: "serve-deployment",
    configureServer(server) {
      server.middlewares.use((req, res, next) => void handler(req, res, next));
    },
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => void handler(req, res, next));
    },
  };
}

export default defineConfig({
  plugins: [react(), serveDeployment()],
  build: { target: "es2022", chunkSizeWarningLimit: 2000 },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" },
});
