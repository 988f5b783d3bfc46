/**
 * The HTTP server of `/metrics` (Prometheus text format) and `/health` (JSON, 200 when healthy, 503 when not), bound
 * to 127.0.0.1 unless told otherwise: metrics reveal the operator's signers and activity.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import type { Registry } from "prom-client";

/** What /health reports. */
export type HealthReport = {
  /** True when the keeper is keeping up and funded. */
  readonly healthy: boolean;
  /** One line per reason it is not. */
  readonly problems: readonly string[];
  /** The last block processed, when any. */
  readonly lastProcessedBlock: string | undefined;
  /** Seconds since the keeper last reached the chain head; undefined before the first sync. */
  readonly secondsSinceSync: number | undefined;
};

/** A running metrics server. */
export type MetricsServer = {
  /** The port it listens on (useful when started with port 0). */
  readonly port: number;
  /** Stops it. */
  close(): Promise<void>;
};

/**
 * Starts the server.
 *
 * @param options.registry - The metrics to serve.
 * @param options.health - Computes the health report at request time.
 * @param options.host - Interface to bind (default 127.0.0.1).
 * @param options.port - Port (0 = any free one).
 * @returns The running server.
 */
export async function startMetricsServer(options: {
  registry: Registry;
  health: () => HealthReport | Promise<HealthReport>;
  host?: string;
  port: number;
}): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const reply = (status: number, type: string, body: string) => {
      response.writeHead(status, { "content-type": type });
      response.end(body);
    };
    if (request.method !== "GET") return reply(405, "text/plain", "method not allowed\n");
    if (path === "/metrics") {
      options.registry.metrics().then(
        (text) => reply(200, options.registry.contentType, text),
        (error: unknown) => reply(500, "text/plain", `${String(error)}\n`)
      );
    } else if (path === "/health") {
      Promise.resolve()
        .then(options.health)
        .then(
          (report) => reply(report.healthy ? 200 : 503, "application/json", `${JSON.stringify(report)}\n`),
          (error: unknown) => reply(503, "application/json", `${JSON.stringify({ healthy: false, problems: [String(error)] })}\n`)
        );
    } else {
      reply(404, "text/plain", "not found: try /metrics or /health\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
