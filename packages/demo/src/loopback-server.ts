import type http from "node:http";
import type { AddressInfo } from "node:net";

/** Listens on 127.0.0.1 (port 0: a free one) and resolves with the URL and port taken. */
export async function listenOnLoopback(server: http.Server, port = 0): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const taken = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${taken}`, port: taken };
}

/** Stops accepting connections and drops the open ones, so close never waits on keep-alive clients. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
