// Health checks of components: HTTP GET of a readiness endpoint, connected from inside a netns.
import { request } from 'node:http';
import { closeFd, connectInNetns, openNetns } from '@mesh/common/net';

/** True when GET http://host:port/path answers 200 within `timeoutMs`, connecting from `netns`. */
export async function httpHealthy(netns: string, host: string, port: number, path: string, timeoutMs = 2000): Promise<boolean> {
  let fd: number;
  try {
    fd = openNetns(`/run/netns/${netns}`);
  } catch {
    return false;
  }
  try {
    const sock = await connectInNetns({ netnsFd: fd, host, port, timeoutMs });
    return await new Promise<boolean>((resolve) => {
      const req = request({ method: 'GET', path, headers: { host: `${host}:${port}` }, createConnection: () => sock, timeout: timeoutMs }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
        sock.destroy();
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => {
        sock.destroy();
        resolve(false);
      });
      req.end();
    });
  } catch {
    return false;
  } finally {
    closeFd(fd);
  }
}
