/** Picks free loopback ports for the components (they take ports as flags, not port 0). */
import { createServer } from "node:net";

/**
 * Returns `count` distinct ports that were free on 127.0.0.1 a moment ago. Another process may
 * take one before the component binds it; the component then fails to start with "address already
 * in use", which {@link startControlPlane} reports as retryable.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  // All are held open until every port is known, so the same port cannot be handed out twice.
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === "string") throw new Error("a TCP server has no port");
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
