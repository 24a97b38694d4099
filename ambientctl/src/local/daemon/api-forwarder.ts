// Makes the API server (root netns, loopback) reachable at 10.200.0.1:6443 inside the control-plane netns:
// a TCP listener created in that netns whose connections are piped to the loopback port. TLS passes through
// untouched (the serving certificate carries 10.200.0.1 as a SAN).
import net from 'node:net';
import { closeFd, listenInNetns, openNetns } from '@mesh/common/net';

export async function forwardIntoNetns(netns: string, host: string, port: number, targetPort: number): Promise<net.Server> {
  const fd = openNetns(`/run/netns/${netns}`);
  try {
    const server = await listenInNetns({ netnsFd: fd, host, port, serverOptions: { allowHalfOpen: true } });
    server.on('connection', (client: net.Socket) => {
      const upstream = net.connect({ host: '127.0.0.1', port: targetPort, allowHalfOpen: true });
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    return server;
  } finally {
    closeFd(fd);
  }
}
