// Health checks of components: HTTP GET of a readiness endpoint, connected from inside a netns.
import { closeFd, connectInNetns, openNetns } from '@mesh/common/net';
import { httpGetStatus } from '../cluster/http-in-netns.ts';

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
    return (await httpGetStatus(sock, { host, port, path }, timeoutMs)) === 200;
  } catch {
    return false;
  } finally {
    closeFd(fd);
  }
}
