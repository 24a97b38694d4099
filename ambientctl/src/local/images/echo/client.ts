// Client mode of the echo app: lets pods call each other without curl. Each answer is printed line by line
// as `[<request index>] <line>`; failures go to stderr as `[<index>] error: …`; the exit code is 1 when any
// request failed (connection error, timeout, or an HTTP status outside 2xx).
import { Agent, request as http1Request } from 'node:http';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { connect as tcpConnect } from 'node:net';
import type { ClientOptions } from './client-args.ts';

/** Where client output goes (process.stdout/stderr lines in main; collectors in tests). */
export interface ClientOutput {
  out(line: string): void;
  err(line: string): void;
}

/** One request's outcome: the answer text, and whether it counts as success. */
export interface Answer {
  readonly text: string;
  /** Why the answer counts as a failure (an HTTP status outside 2xx), if it does. */
  readonly failure?: string;
}

function httpAnswer(text: string, status: number): Answer {
  return status >= 200 && status < 300 ? { text } : { text, failure: `HTTP status ${status}` };
}

/** Something that sends request after request to one destination. */
export interface Sender {
  send(): Promise<Answer>;
  close(): void;
}

function timeoutError(ms: number): Error {
  return new Error(`no answer within ${ms} ms`);
}

function http1Sender(o: ClientOptions): Sender {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    send: () =>
      new Promise((resolve, reject) => {
        const req = http1Request(o.url, { method: o.method, agent, headers: Object.fromEntries(o.headers), timeout: o.timeoutMs }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            resolve(httpAnswer(Buffer.concat(chunks).toString('utf8'), res.statusCode ?? 0));
          });
        });
        req.on('timeout', () => req.destroy(timeoutError(o.timeoutMs)));
        req.on('error', reject);
        req.end();
      }),
    close: () => agent.destroy(),
  };
}

function http2Sender(o: ClientOptions): Sender {
  const origin = `http://${o.url.host}`;
  let session: ClientHttp2Session | undefined;
  const open = (): ClientHttp2Session => {
    if (!session || session.closed || session.destroyed) {
      session = http2Connect(origin);
      session.on('error', () => undefined); // surfaced through the stream's error
    }
    return session;
  };
  return {
    send: () =>
      new Promise((resolve, reject) => {
        const headers = { ':method': o.method, ':path': `${o.url.pathname}${o.url.search}`, ...Object.fromEntries(o.headers.map(([k, v]) => [k.toLowerCase(), v])) };
        const stream = open().request(headers, { endStream: true });
        const timer = setTimeout(() => stream.destroy(timeoutError(o.timeoutMs)), o.timeoutMs);
        let status = 0;
        const chunks: Buffer[] = [];
        stream.on('response', (h) => (status = Number(h[':status'] ?? 0)));
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        stream.on('end', () => {
          clearTimeout(timer);
          resolve(httpAnswer(Buffer.concat(chunks).toString('utf8'), status));
        });
      }),
    close: () => session?.close(),
  };
}

function tcpSender(o: ClientOptions): Sender {
  return {
    send: () =>
      new Promise((resolve, reject) => {
        const socket = tcpConnect({ host: o.url.hostname.replace(/^\[|\]$/g, ''), port: Number(o.url.port) });
        let text = '';
        const finish = (): void => {
          clearTimeout(timer);
          socket.destroy();
          resolve({ text });
        };
        const timer = setTimeout(() => socket.destroy(timeoutError(o.timeoutMs)), o.timeoutMs);
        socket.setEncoding('utf8');
        socket.on('connect', () => socket.write(`${o.message}\n`));
        socket.on('data', (chunk: string) => {
          text += chunk;
          // Done once our line came back (whatever the server wrote before it is printed too).
          if (text.split('\n').slice(0, -1).includes(o.message)) finish();
        });
        socket.on('end', finish);
        socket.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      }),
    close: () => undefined,
  };
}

// gRPC is loaded only when used: it is the slowest import, and most runs are HTTP or TCP.
const SENDERS: Readonly<Record<ClientOptions['protocol'], (o: ClientOptions) => Sender | Promise<Sender>>> = {
  http1: http1Sender,
  http2: http2Sender,
  grpc: async (o) => (await import('./grpc-sender.ts')).grpcSender(o),
  tcp: tcpSender,
};

/** Sends `count` requests one after another; returns the process exit code. */
export async function runClient(options: ClientOptions, output: ClientOutput): Promise<number> {
  const sender = await SENDERS[options.protocol](options);
  let failed = 0;
  try {
    for (let i = 0; i < options.count; i++) {
      try {
        const answer = await sender.send();
        for (const line of answer.text.split('\n')) if (line !== '') output.out(`[${i}] ${line}`);
        if (answer.failure !== undefined) {
          failed++;
          output.err(`[${i}] error: ${answer.failure}`);
        }
      } catch (err) {
        failed++;
        output.err(`[${i}] error: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    sender.close();
  }
  return failed === 0 ? 0 : 1;
}
