// Load generators, run in the benchmark process with raw net sockets (a few lines of HTTP/1.1 instead of
// node:http, so the generator stays cheap and the proxies, not the client, are the bottleneck).
import { once } from 'node:events';
import type net from 'node:net';

/** Opens a connected socket toward the app through the path under test. */
export type Dial = () => Promise<net.Socket>;

const REQUEST_KEEPALIVE = Buffer.from('GET /bench HTTP/1.1\r\nHost: app\r\nUser-Agent: l4-bench\r\n\r\n');
const REQUEST_CLOSE = Buffer.from('GET /bench HTTP/1.1\r\nHost: app\r\nUser-Agent: l4-bench\r\nConnection: close\r\n\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
/** A request without its response after this long is an error, so a stalled path cannot hang the run. */
const REQUEST_TIMEOUT_MS = 10_000;

/** One HTTP/1.1 connection with one request in flight at a time. */
class HttpConn {
  readonly sock: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private need = -1;
  private pending: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(sock: net.Socket) {
    this.sock = sock;
    sock.setNoDelay(true);
    sock.on('data', (c: Buffer) => this.onData(c));
    const fail = (err: Error): void => {
      const p = this.pending;
      this.pending = undefined;
      p?.reject(err);
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('connection closed before the response')));
  }

  /** One request; rejects (and closes the connection) when no full response came within REQUEST_TIMEOUT_MS. */
  request(close: boolean): Promise<void> {
    if (this.pending) return Promise.reject(new Error('request already in flight'));
    let timer: NodeJS.Timeout | undefined;
    return new Promise<void>((resolve, reject) => {
      this.pending = { resolve, reject };
      timer = setTimeout(() => {
        this.pending = undefined;
        this.sock.destroy();
        reject(new Error(`no response within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.sock.write(close ? REQUEST_CLOSE : REQUEST_KEEPALIVE);
    }).finally(() => clearTimeout(timer));
  }

  private onData(c: Buffer): void {
    this.buf = this.buf.length === 0 ? c : Buffer.concat([this.buf, c]);
    for (;;) {
      if (this.need < 0) {
        const end = this.buf.indexOf(HEADER_END);
        if (end < 0) return;
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(this.buf.subarray(0, end).toString('latin1'));
        if (!m || !this.buf.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 200')) {
          this.pending?.reject(new Error(`bad response: ${this.buf.subarray(0, 40).toString('latin1')}`));
          this.pending = undefined;
          this.sock.destroy();
          return;
        }
        this.need = end + 4 + Number(m[1]);
      }
      if (this.buf.length < this.need) return;
      this.buf = this.buf.subarray(this.need);
      this.need = -1;
      const p = this.pending;
      this.pending = undefined;
      p?.resolve();
    }
  }
}

/** Bulk throughput of one connection to the sink, MB/s (10^6): up to `maxBytes` or `maxMs` of sending,
 * timed until the sink's byte count comes back. */
export async function bulk(dial: Dial, opts: { maxBytes: number; maxMs: number }): Promise<number> {
  const conn = await dial();
  const chunk = Buffer.alloc(256 * 1024, 0x42);
  const reply: Buffer[] = [];
  conn.on('data', (c: Buffer) => reply.push(c));
  const ended = once(conn, 'end');
  const start = process.hrtime.bigint();
  const stopAt = Date.now() + opts.maxMs;
  let sent = 0;
  while (sent < opts.maxBytes && Date.now() < stopAt) {
    sent += chunk.length;
    if (!conn.write(chunk)) await withDeadline(once(conn, 'drain'), 30_000);
  }
  conn.end();
  try {
    await withDeadline(ended, 30_000);
  } finally {
    conn.destroy();
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const counted = Number(Buffer.concat(reply).toString());
  if (counted !== sent) throw new Error(`bulk: sent ${sent} bytes, the sink counted ${counted}`);
  return sent / secs / 1e6;
}

/** Result of a closed-loop HTTP run. */
export interface RateResult {
  rps: number;
  requests: number;
  errors: number;
}

/**
 * Closed loop: `connections` workers, each sending its next request as soon as the previous answer is in,
 * for `durationMs`. keepAlive = one connection per worker; otherwise a new connection per request.
 */
export async function httpClosedLoop(dial: Dial, opts: { connections: number; durationMs: number; keepAlive: boolean }): Promise<RateResult> {
  let requests = 0;
  let errors = 0;
  const deadline = Date.now() + opts.durationMs;
  const start = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    let conn: HttpConn | undefined;
    while (Date.now() < deadline) {
      try {
        conn ??= new HttpConn(await dial());
        await conn.request(!opts.keepAlive);
        requests++;
        if (!opts.keepAlive) {
          conn.sock.destroy();
          conn = undefined;
        }
      } catch {
        errors++;
        conn?.sock.destroy();
        conn = undefined;
      }
    }
    conn?.sock.destroy();
  };
  await Promise.all(Array.from({ length: opts.connections }, worker));
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  return { rps: requests / secs, requests, errors };
}

/** `connections` short echo connections, `concurrency` at a time; a failure = anything but the echo. */
export async function churn(dial: Dial, connections: number, concurrency: number): Promise<{ connections: number; failures: number }> {
  let next = 0;
  let failures = 0;
  const one = async (i: number): Promise<void> => {
    const sock = await dial();
    const msg = `E${i}`;
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    const ended = once(sock, 'end');
    sock.end(msg);
    await ended;
    sock.destroy();
    if (Buffer.concat(chunks).toString() !== msg) throw new Error('churn: bad echo');
  };
  const worker = async (): Promise<void> => {
    while (next < connections) {
      const i = next++;
      try {
        await withDeadline(one(i), 10_000);
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { connections, failures };
}

/** Result of a fixed-rate run: latency percentiles in ms (from the scheduled send time). */
export interface FixedRateResult {
  requests: number;
  errors: number;
  achievedRps: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Open loop: one request every 1/rps s for `durationMs` over a pool of keep-alive connections; a request
 * waits for a free connection, and its latency counts from when it was due (no coordinated omission).
 */
export async function fixedRate(dial: Dial, opts: { rps: number; durationMs: number; connections: number }): Promise<FixedRateResult> {
  const idle: HttpConn[] = [];
  for (let i = 0; i < opts.connections; i++) idle.push(new HttpConn(await dial()));
  const all = [...idle];
  const waiting: bigint[] = [];
  const latencies: number[] = [];
  let errors = 0;
  let inFlight = 0;
  const total = Math.round((opts.rps * opts.durationMs) / 1000);
  const intervalNs = BigInt(Math.round(1e9 / opts.rps));
  const t0 = process.hrtime.bigint();
  let issued = 0;
  let drained: (() => void) | undefined;

  const checkDrained = (): void => {
    if (inFlight === 0 && issued === total && waiting.length === 0) drained?.();
  };
  const release = (conn: HttpConn): void => {
    inFlight--;
    const due = waiting.shift();
    if (due !== undefined) send(conn, due);
    else idle.push(conn);
    checkDrained();
  };
  const send = (conn: HttpConn, due: bigint): void => {
    inFlight++;
    conn.request(false).then(
      () => {
        latencies.push(Number(process.hrtime.bigint() - due) / 1e6);
        release(conn);
      },
      () => {
        // Count it and put a fresh connection in the broken one's place.
        errors++;
        conn.sock.destroy();
        dial().then(
          (sock) => {
            const fresh = new HttpConn(sock);
            all.push(fresh);
            release(fresh);
          },
          () => {
            inFlight--;
            checkDrained();
          },
        );
      },
    );
  };

  const run = new Promise<void>((resolve) => {
    drained = resolve;
    const tick = (): void => {
      const now = process.hrtime.bigint();
      while (issued < total && t0 + BigInt(issued) * intervalNs <= now) {
        const due = t0 + BigInt(issued) * intervalNs;
        issued++;
        const conn = idle.pop();
        if (conn) send(conn, due);
        else waiting.push(due);
      }
      if (issued < total) setTimeout(tick, 1);
      else checkDrained();
    };
    tick();
  });
  await withDeadline(run, opts.durationMs + 30_000).catch((err: Error) => {
    errors += waiting.length + inFlight;
    process.stderr.write(`fixedRate: ${err.message}; ${waiting.length + inFlight} requests unanswered\n`);
  });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const c of all) c.sock.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { requests: latencies.length, errors, achievedRps: latencies.length / secs, p50Ms: pct(50), p99Ms: pct(99) };
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
