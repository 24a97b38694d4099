// One HTTP GET over a connection made from inside a network namespace: the kubelet's httpGet probes and the
// daemon's component health checks.
import { request } from 'node:http';
import type { Socket } from 'node:net';

/** The status of GET http://host:port/path over `socket` (already connected); undefined on error or timeout. */
export function httpGetStatus(
  socket: Socket,
  target: { host: string; port: number; path: string; headers?: Record<string, string> },
  timeoutMs: number,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    const headers = { host: `${target.host}:${target.port}`, ...target.headers };
    const req = request({ method: 'GET', path: target.path, headers, createConnection: () => socket, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode);
      socket.destroy();
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => {
      socket.destroy();
      resolve(undefined);
    });
    req.end();
  });
}
