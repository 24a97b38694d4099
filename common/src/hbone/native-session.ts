// The native HBONE data path (common/native/src/hbone-session.cc): one HTTP/2-over-TLS 1.3 connection run in
// C++ on Node's loop, each CONNECT stream joined to an app socket natively. This wrapper keeps the decisions
// in TypeScript (peer identity, which streams to open or answer, when to reset or close) and turns the
// addon's events into promises.
import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { native } from '../net/native.ts';
import { socketFd } from '../net/socket-fd.ts';
import { splitPemCertificates } from '../tls/pem.ts';
import type { MtlsMaterial } from '../tls/mtls.ts';
import { HboneError } from './hbone-error.ts';
import { HBONE_CLIENT_MAX_STREAMS, HBONE_CONNECTION_WINDOW_BYTES, HBONE_MAX_FRAME_BYTES, HBONE_STREAM_WINDOW_BYTES } from './settings.ts';

/** An OpenSSL context of the addon (opaque here). */
export interface NativeTlsContext {
  readonly __nativeTlsContext: never;
}

interface SessionHandle {
  request(authority: string, headers: string[]): number;
  respond(id: number, status: number, headers: string[], open: boolean): void;
  attach(id: number, fd: number, head?: Buffer): void;
  reset(id: number, code?: number): void;
  ping(): void;
  goaway(): void;
  destroy(reason?: string): void;
  ref(): void;
  unref(): void;
}

interface HboneAddon {
  TlsContext: new (o: { server: boolean; certChain: string; key: string; roots: string }) => NativeTlsContext;
  HboneSession: new (
    fd: number,
    ctx: NativeTlsContext,
    emit: (kind: string, ...args: unknown[]) => void,
    opts: { streamWindow: number; connectionWindow: number; maxStreams: number; maxFrame: number },
  ) => SessionHandle;
}

function addon(): HboneAddon {
  return native() as unknown as HboneAddon;
}

/** TLS 1.3 settings for native sessions from our key, chain and the mesh roots (PEM). */
export function nativeTlsContext(material: MtlsMaterial, role: 'client' | 'server'): NativeTlsContext {
  const pems = (v: readonly string[] | string) => (typeof v === 'string' ? splitPemCertificates(v) : v.flatMap(splitPemCertificates));
  return new (addon().TlsContext)({
    server: role === 'server',
    certChain: pems(material.certChain).join(''),
    key: material.keyPem,
    roots: pems(material.roots).join(''),
  });
}

/** How a stream ended: RST code (0 for an ordinary close) and the bytes moved each way. */
export interface NativeStreamEnd {
  readonly code: number;
  readonly fromApp: number;
  readonly toApp: number;
}

/** The error an access log records for a stream's end: none for an ordinary close. */
export function streamEndError(end: NativeStreamEnd): string | undefined {
  return end.code === 0 ? undefined : `stream reset (HTTP/2 code ${end.code})`;
}

/** Header pairs as the addon carries them: [name, value, name, value, ...]. */
export type FlatHeaders = string[];

interface StreamWaiters {
  response?: (r: { status: number; headers: FlatHeaders }) => void;
  end: (e: NativeStreamEnd) => void;
  ended: Promise<NativeStreamEnd>;
}

/** Options of a native session. */
export interface NativeSessionOptions {
  readonly maxStreams?: number;
}

/** One native HBONE connection. Client: `open()` streams. Server: answer `onStream` requests. */
export class NativeHboneSession {
  readonly #h: SessionHandle;
  readonly #streams = new Map<number, StreamWaiters>();
  #handshake: Promise<X509Certificate | undefined>;
  #closed: Promise<string>;
  #isClosed = false;
  #pongs: (() => void)[] = [];
  /** Server: called for each CONNECT (id, flat headers). Answer with respond(); attach() to join a socket. */
  onStream: ((id: number, headers: FlatHeaders) => void) | undefined;
  /** Called when the peer sends GOAWAY. */
  onGoaway: ((code: number, lastStreamId: number) => void) | undefined;

  /** Starts TLS on a connected socket; the session uses its own copy of the fd, so `socket` may be destroyed
   * once this returns. */
  constructor(socket: Socket | number, tls: NativeTlsContext, options: NativeSessionOptions = {}) {
    let handshakeDone!: (cert: X509Certificate | undefined) => void;
    let handshakeFailed!: (err: Error) => void;
    this.#handshake = new Promise((resolve, reject) => {
      handshakeDone = resolve;
      handshakeFailed = reject;
    });
    this.#handshake.catch(() => {});
    let closed!: (error: string) => void;
    this.#closed = new Promise((resolve) => (closed = resolve));
    let shook = false;
    const emit = (kind: string, ...a: unknown[]) => {
      switch (kind) {
        case 'handshake':
          shook = true;
          handshakeDone(a[0] instanceof Buffer ? new X509Certificate(a[0]) : undefined);
          break;
        case 'stream':
          this.#track(a[0] as number);
          if (this.onStream) this.onStream(a[0] as number, a[1] as FlatHeaders);
          else this.#h.reset(a[0] as number, REFUSED_STREAM);
          break;
        case 'response':
          this.#streams.get(a[0] as number)?.response?.({ status: a[1] as number, headers: a[2] as FlatHeaders });
          break;
        case 'streamClose': {
          const w = this.#streams.get(a[0] as number);
          this.#streams.delete(a[0] as number);
          w?.end({ code: a[1] as number, fromApp: a[2] as number, toApp: a[3] as number });
          break;
        }
        case 'goaway':
          this.onGoaway?.(a[0] as number, a[1] as number);
          break;
        case 'pong':
          this.#pongs.shift()?.();
          break;
        case 'close':
          this.#isClosed = true;
          if (!shook) handshakeFailed(new HboneError('ERR_HBONE_TLS', String(a[0]) || 'connection closed during the TLS handshake'));
          closed(a[0] as string);
          break;
      }
    };
    const fd = typeof socket === 'number' ? socket : takeOver(socket, 'NativeHboneSession');
    try {
      this.#h = new (addon().HboneSession)(fd, tls, emit, {
        streamWindow: HBONE_STREAM_WINDOW_BYTES,
        connectionWindow: HBONE_CONNECTION_WINDOW_BYTES,
        maxStreams: options.maxStreams ?? HBONE_CLIENT_MAX_STREAMS,
        maxFrame: HBONE_MAX_FRAME_BYTES,
      });
    } finally {
      // Either the session has its own copy of the fd, or it failed: the Node socket is done with either way.
      if (typeof socket !== 'number') socket.destroy();
    }
  }

  /** The peer's certificate once TLS is up (rejects when the handshake fails). Check its identity before use. */
  handshake(): Promise<X509Certificate | undefined> {
    return this.#handshake;
  }

  /** Resolves with '' for a clean close, else why the session ended. */
  closed(): Promise<string> {
    return this.#closed;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  get streamCount(): number {
    return this.#streams.size;
  }

  /** Client: CONNECT to `authority`. Resolves with the answer; `ended` settles when the stream is gone. */
  async open(authority: string, headers: FlatHeaders = []): Promise<{ id: number; status: number; headers: FlatHeaders; ended: Promise<NativeStreamEnd> }> {
    const id = this.#h.request(authority, headers);
    const w = this.#track(id);
    const answer = await new Promise<{ status: number; headers: FlatHeaders } | undefined>((resolve) => {
      w.response = resolve;
      void w.ended.then(() => resolve(undefined));
    });
    if (answer === undefined) {
      const end = await w.ended;
      throw new HboneError('ERR_HBONE_STREAM', `CONNECT ${authority}: the stream closed before an answer (code ${end.code})`);
    }
    return { id, ...answer, ended: w.ended };
  }

  /** Server: answer stream `id`; `open` keeps it for attach(), otherwise the answer ends it. */
  respond(id: number, status: number, open: boolean, headers: FlatHeaders = []): Promise<NativeStreamEnd> {
    const w = this.#streams.get(id);
    if (w === undefined || this.#isClosed) throw new HboneError('ERR_HBONE_STREAM', `stream ${id} is not open (reset by the peer, or the session closed)`);
    this.#h.respond(id, status, headers, open);
    return w.ended;
  }

  /** Whether stream `id` is still open. */
  hasStream(id: number): boolean {
    return this.#streams.has(id);
  }

  /**
   * Joins stream `id` with an app socket: from here the bytes move natively. The socket must not have been read
   * by anyone else; what Node already buffered is sent first. The Node socket is destroyed (the session has
   * its own fd), so its events stop; the stream's end reports the bytes. A stream that is no longer open resets
   * the socket and ends with CANCEL.
   */
  attach(id: number, socket: Socket): Promise<NativeStreamEnd> {
    const w = this.#streams.get(id);
    if (w === undefined || this.#isClosed) {
      // Reset by the peer (or the session ended) since it was answered: the app gets a reset too.
      socket.resetAndDestroy();
      return Promise.resolve({ code: RST_CANCEL, fromApp: 0, toApp: 0 });
    }
    const fd = takeOver(socket, 'NativeHboneSession.attach');
    const parts: Buffer[] = [];
    for (let c: Buffer | null; (c = socket.read() as Buffer | null) !== null; ) parts.push(c);
    this.#h.attach(id, fd, parts.length > 0 ? Buffer.concat(parts) : undefined);
    socket.destroy();
    return w.ended;
  }

  /** RST_STREAM (CANCEL by default); the app socket is reset. */
  reset(id: number, code = RST_CANCEL): void {
    if (!this.#isClosed && this.#streams.has(id)) this.#h.reset(id, code);
  }

  /** Resolves when the peer acknowledges a PING. */
  ping(): Promise<void> {
    return new Promise((resolve) => {
      this.#pongs.push(resolve);
      this.#h.ping();
    });
  }

  /** GOAWAY: no new streams; the session closes when its streams are done. */
  goaway(): void {
    this.#h.goaway();
  }

  destroy(reason = ''): void {
    this.#h.destroy(reason);
  }

  /** Whether an idle session keeps the process alive. */
  ref(on: boolean): void {
    if (on) this.#h.ref();
    else this.#h.unref();
  }

  #track(id: number): StreamWaiters {
    let end!: (e: NativeStreamEnd) => void;
    const ended = new Promise<NativeStreamEnd>((resolve) => (end = resolve));
    const w: StreamWaiters = { end, ended };
    this.#streams.set(id, w);
    return w;
  }
}

/** Stops Node reading `socket` (libuv would otherwise race the session for its bytes) and returns its fd. */
function takeOver(socket: Socket, fn: string): number {
  socket.pause();
  (socket as unknown as { _handle?: { readStop?: () => void } | null })._handle?.readStop?.();
  return socketFd(socket, fn);
}

/** HTTP/2's CANCEL error code: the RST_STREAM code of a tunnel cut by its own side. */
export const RST_CANCEL = 0x8;
const REFUSED_STREAM = 0x7;

/** Flat headers as a record (names are lower case in HTTP/2; a repeated name's values are joined with ', '). */
export function headerRecord(headers: FlatHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i] as string;
    out[name] = out[name] === undefined ? (headers[i + 1] as string) : `${out[name]}, ${headers[i + 1]}`;
  }
  return out;
}

/** A record of headers as the flat list the addon takes. */
export function flatHeaders(headers: Readonly<Record<string, string>>): FlatHeaders {
  return Object.entries(headers).flat();
}

/** Header value by name from a flat list. */
export function headerValue(headers: FlatHeaders, name: string): string | undefined {
  for (let i = 0; i + 1 < headers.length; i += 2) if (headers[i] === name) return headers[i + 1];
  return undefined;
}
