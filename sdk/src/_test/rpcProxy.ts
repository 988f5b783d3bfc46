/**
 * A JSON-RPC proxy on 127.0.0.1 in front of a node, for cutting the link in tests: pass requests through,
 * drop them (the socket is destroyed), answer 500, or delay them.
 */
import { createServer, type Server } from "node:http";

export type ProxyMode = "pass" | "drop" | "error500" | "delay";

export type RpcProxy = {
  readonly url: string;
  mode: ProxyMode;
  delayMs: number;
  /** Requests seen in each mode. */
  readonly counts: Record<ProxyMode, number>;
  close(): Promise<void>;
};

export async function startRpcProxy(upstream: string): Promise<RpcProxy> {
  const counts: Record<ProxyMode, number> = { pass: 0, drop: 0, error500: 0, delay: 0 };
  const state = { mode: "pass" as ProxyMode, delayMs: 200 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const mode = state.mode;
      counts[mode] += 1;
      if (mode === "drop") {
        request.socket.destroy();
        return;
      }
      if (mode === "error500") {
        response.writeHead(500, { "content-type": "text/plain" }).end("upstream unavailable");
        return;
      }
      const forward = async (): Promise<void> => {
        if (mode === "delay") await new Promise((r) => setTimeout(r, state.delayMs));
        try {
          const upstreamResponse = await fetch(upstream, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: Buffer.concat(chunks),
          });
          const body = await upstreamResponse.text();
          response.writeHead(upstreamResponse.status, { "content-type": "application/json" }).end(body);
        } catch {
          request.socket.destroy();
        }
      };
      void forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(value: ProxyMode) {
      state.mode = value;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value: number) {
      state.delayMs = value;
    },
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
