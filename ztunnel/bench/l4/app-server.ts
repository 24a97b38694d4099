// The benchmark's upstream app, run as its own process (its CPU is never counted as the proxies'). One TCP
// port, three behaviours picked by the first byte a connection sends:
//   'B…'  bulk sink: counts bytes, answers the count at EOF;
//   'E…'  echo (churn);
//   'GET' minimal HTTP/1.1 server: every request gets a 1 KiB body; keep-alive unless `Connection: close`.
// Env APP_HOST (default 127.0.0.1), APP_PORT (default 0). Prints {"port":N} on stdout once listening.
import net from 'node:net';

export const RESPONSE_BODY_BYTES = 1024;
const BODY = Buffer.alloc(RESPONSE_BODY_BYTES, 0x61);
const RESPONSE = Buffer.concat([
  Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${BODY.length}\r\n\r\n`),
  BODY,
]);
const HEADER_END = Buffer.from('\r\n\r\n');

function serveHttp(sock: net.Socket, first: Buffer): void {
  let buf = first;
  const onData = (chunk: Buffer): void => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    for (;;) {
      const end = buf.indexOf(HEADER_END);
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      buf = buf.subarray(end + 4);
      if (/\r\nconnection:\s*close/i.test(head)) {
        sock.end(RESPONSE);
        sock.off('data', onData);
        return;
      }
      sock.write(RESPONSE);
    }
  };
  sock.on('data', onData);
  onData(Buffer.alloc(0));
}

const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (sock) => {
  sock.on('error', () => {});
  sock.once('data', (first: Buffer) => {
    if (first[0] === 0x42 /* B */) {
      let n = first.length;
      sock.on('data', (c: Buffer) => (n += c.length));
      sock.on('end', () => sock.end(String(n)));
    } else if (first[0] === 0x45 /* E */) {
      sock.write(first);
      sock.pipe(sock);
    } else {
      sock.on('end', () => sock.end());
      serveHttp(sock, first);
    }
  });
});
server.listen({ host: process.env.APP_HOST ?? '127.0.0.1', port: Number(process.env.APP_PORT ?? 0), backlog: 4096 }, () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as net.AddressInfo).port })}\n`);
});
const stop = (): void => {
  server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
