/**
 * A JSON-RPC proxy on 127.0.0.1 that can misbehave on demand: forward (ok), drop every request (the socket is
 * destroyed without an answer), delay each request, or answer 503. For tests of the keeper's behaviour when its RPC
 * fails and recovers.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** How the proxy treats requests. */
export type ProxyMode = "ok" | "drop" | "delay" | "error";

/** A running proxy. */
export type FlakyProxy = {
  /** Its URL. */
  readonly url: string;
  /** Changes how it treats the next requests. */
  setMode(mode: ProxyMode): void;
  /** Requests dropped or failed so far. */
  dropped(): number;
  /** Stops it. */
  close(): Promise<void>;
};

/**
 * Starts a proxy in front of `target`.
 *
 * @param target - The node's URL.
 * @param delayMs - Delay in "delay" mode.
 * @returns The proxy, in "ok" mode.
 */
export async function startFlakyProxy(target: string, delayMs = 400): Promise<FlakyProxy> {
  let mode: ProxyMode = "ok";
  let failures = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const current = mode;
      if (current === "drop") {
        failures++;
        request.socket.destroy();
        return;
      }
      if (current === "error") {
        failures++;
        response.writeHead(503, { "content-type": "text/plain" });
        response.end("unavailable");
        return;
      }
      const forward = async () => {
        try {
          const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) });
          const body = await upstream.text();
          response.writeHead(upstream.status, { "content-type": "application/json" });
          response.end(body);
        } catch {
          failures++;
          response.writeHead(502);
          response.end();
        }
      };
      if (current === "delay") setTimeout(() => void forward(), delayMs);
      else void forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    setMode: (next) => {
      mode = next;
    },
    dropped: () => failures,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
