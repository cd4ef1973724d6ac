/**
 * A TCP proxy that holds every chunk for `oneWayMs` in each direction: the local dev server as if
 * it were a network round trip of 2 x oneWayMs away (a Temporal Cloud region, say). Chunks keep
 * their order, since each waits the same time. For the benches only.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface DelayProxy {
  address: string;
  close(): Promise<void>;
}

function delayedPipe(from: Socket, to: Socket, oneWayMs: number): void {
  from.on('data', (chunk) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, oneWayMs);
  });
  from.on('end', () => setTimeout(() => to.end(), oneWayMs));
  from.on('error', () => to.destroy());
}

export async function startDelayProxy(target: string, oneWayMs: number): Promise<DelayProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(port, host);
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    delayedPipe(client, upstream, oneWayMs);
    delayedPipe(upstream, client, oneWayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the delay proxy has no TCP address');
  return {
    address: `127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
