// Workload certificates, one per SPIFFE identity that a local pod runs as: fetched from the CA on first use
// (or when a pod arrives), renewed at half-life, retried with backoff on failure while the old certificate is
// served until it expires, and dropped when no pod needs the identity any more. At most 8 CSRs in flight.
import { X509Certificate } from 'node:crypto';
import { errorMessage } from '@mesh/common/errors';
import { SpiffeId } from '@mesh/common/identity';
import type { Logger } from '@mesh/common/log';
import { createCsr, spiffeIdsOf, splitPemCertificates } from '@mesh/common/tls';
import { ZtunnelError } from '../errors.ts';
import type { CaClient } from './ca-client.ts';
import { backoffDelay, nextRefreshDelay } from './refresh.ts';

/** A usable certificate: key, chain to present, and the roots to verify peers with. */
export interface WorkloadCert {
  readonly identity: string;
  readonly keyPem: string;
  /** Leaf first, then intermediates. */
  readonly certChain: readonly string[];
  /** The mesh root(s) from the CA's answer. */
  readonly roots: readonly string[];
  readonly notBefore: number;
  readonly notAfter: number;
}

interface Entry {
  refs: number;
  cert: WorkloadCert | undefined;
  pending: Promise<WorkloadCert> | undefined;
  failures: number;
  lastError: string;
  timer: NodeJS.Timeout | undefined;
  waiters: { resolve: (c: WorkloadCert) => void; reject: (e: Error) => void }[];
}

export interface CertManagerOptions {
  readonly ca: CaClient;
  readonly ttlSeconds: number;
  readonly logger: Logger;
  readonly maxConcurrent?: number;
  readonly now?: () => number;
}

const MAX_CONCURRENT = 8;

export class CertManager {
  readonly #opts: CertManagerOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #rotateListeners = new Set<(cert: WorkloadCert) => void>();
  #inflight = 0;
  readonly #queue: (() => void)[] = [];
  #closed = false;

  constructor(opts: CertManagerOptions) {
    this.#opts = opts;
  }

  /** Keeps a certificate for `identity` until release(); starts fetching it now. */
  track(identity: string): void {
    const e = this.#entry(identity);
    e.refs++;
    if (!e.cert && !e.pending && !e.timer) this.#fetch(identity, e);
  }

  /** One user less; at zero the certificate is dropped. */
  release(identity: string): void {
    const e = this.#entries.get(identity);
    if (!e) return;
    e.refs--;
    if (e.refs > 0) return;
    clearTimeout(e.timer);
    this.#entries.delete(identity);
    for (const w of e.waiters.splice(0)) w.reject(new ZtunnelError('ERR_ZTUNNEL_NO_CERT', `certificate of ${identity} is no longer needed`));
  }

  /** The current certificate if it is valid now. */
  current(identity: string): WorkloadCert | undefined {
    const c = this.#entries.get(identity)?.cert;
    return c && c.notAfter > this.#now() ? c : undefined;
  }

  /** A valid certificate, waiting for the first fetch when needed (bounded by `timeoutMs`). */
  async get(identity: string, timeoutMs = 15_000): Promise<WorkloadCert> {
    const cur = this.current(identity);
    if (cur) return cur;
    const e = this.#entries.get(identity);
    if (!e) throw new ZtunnelError('ERR_ZTUNNEL_NO_CERT', `no certificate is tracked for ${identity}`);
    return await new Promise<WorkloadCert>((resolve, reject) => {
      const timer = setTimeout(() => {
        e.waiters = e.waiters.filter((w) => w !== waiter);
        reject(new ZtunnelError('ERR_ZTUNNEL_NO_CERT', `no certificate for ${identity} within ${timeoutMs} ms${e.lastError ? `: ${e.lastError}` : ''}`));
      }, timeoutMs);
      const waiter = {
        resolve: (c: WorkloadCert) => {
          clearTimeout(timer);
          resolve(c);
        },
        reject: (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      e.waiters.push(waiter);
    });
  }

  /** Called with each new certificate (first fetch and renewals): servers swap their TLS context. */
  onRotate(listener: (cert: WorkloadCert) => void): () => void {
    this.#rotateListeners.add(listener);
    return () => this.#rotateListeners.delete(listener);
  }

  /** For `/config_dump`: identity, state and validity of every certificate. */
  dump(): object[] {
    return [...this.#entries].map(([identity, e]) => ({
      identity,
      state: e.cert ? (e.cert.notAfter > this.#now() ? 'available' : 'expired') : e.pending ? 'initializing' : 'unavailable',
      notBefore: e.cert ? new Date(e.cert.notBefore).toISOString() : undefined,
      expiry: e.cert ? new Date(e.cert.notAfter).toISOString() : undefined,
      failures: e.failures,
      lastError: e.lastError || undefined,
    }));
  }

  close(): void {
    this.#closed = true;
    for (const e of this.#entries.values()) clearTimeout(e.timer);
    this.#entries.clear();
  }

  #now(): number {
    return this.#opts.now?.() ?? Date.now();
  }

  #entry(identity: string): Entry {
    let e = this.#entries.get(identity);
    if (!e) {
      SpiffeId.parse(identity);
      e = { refs: 0, cert: undefined, pending: undefined, failures: 0, lastError: '', timer: undefined, waiters: [] };
      this.#entries.set(identity, e);
    }
    return e;
  }

  #fetch(identity: string, e: Entry): void {
    e.timer = undefined;
    const p = this.#limited(() => this.#request(identity));
    e.pending = p;
    p.then(
      (cert) => {
        if (this.#entries.get(identity) !== e || this.#closed) return;
        e.pending = undefined;
        e.cert = cert;
        e.failures = 0;
        e.lastError = '';
        for (const w of e.waiters.splice(0)) w.resolve(cert);
        for (const l of this.#rotateListeners) l(cert);
        this.#schedule(identity, e, nextRefreshDelay(this.#now(), cert.notBefore, cert.notAfter));
        this.#opts.logger.info({ identity, expiry: new Date(cert.notAfter).toISOString() }, 'certificate ready');
      },
      (err: unknown) => {
        if (this.#entries.get(identity) !== e || this.#closed) return;
        e.pending = undefined;
        e.failures++;
        e.lastError = errorMessage(err);
        const delay = backoffDelay(e.failures);
        this.#opts.logger.warn({ identity, failures: e.failures, retryMs: delay }, `certificate request failed: ${e.lastError}`);
        this.#schedule(identity, e, delay);
      },
    );
  }

  #schedule(identity: string, e: Entry, delayMs: number): void {
    // Timers cap at ~24.8 days; a longer wait just wakes up and re-schedules.
    e.timer = setTimeout(() => this.#fetch(identity, e), Math.min(delayMs, 2 ** 31 - 1));
    e.timer.unref();
  }

  async #limited<T>(fn: () => Promise<T>): Promise<T> {
    const max = this.#opts.maxConcurrent ?? MAX_CONCURRENT;
    if (this.#inflight >= max) await new Promise<void>((resolve) => this.#queue.push(resolve));
    this.#inflight++;
    try {
      return await fn();
    } finally {
      this.#inflight--;
      this.#queue.shift()?.();
    }
  }

  async #request(identity: string): Promise<WorkloadCert> {
    const csr = await createCsr(identity);
    const chain = (await this.#opts.ca.sign(csr.csrPem, identity, this.#opts.ttlSeconds)).flatMap(splitPemCertificates);
    return parseChain(identity, csr.keyPem, chain);
  }
}

/** Checks the CA's answer: the leaf carries the identity asked for; the last element is the root. */
export function parseChain(identity: string, keyPem: string, chain: readonly string[]): WorkloadCert {
  if (chain.length === 0) throw new ZtunnelError('ERR_ZTUNNEL_CA', `CA returned an empty chain for ${identity}`);
  const leaf = new X509Certificate(chain[0] as string);
  const ids = spiffeIdsOf(leaf).map(String);
  if (!ids.includes(identity)) {
    throw new ZtunnelError('ERR_ZTUNNEL_CA', `CA returned a certificate for [${ids.join(', ')}], asked for ${identity}`);
  }
  const roots = chain.length > 1 ? [chain[chain.length - 1] as string] : [];
  const certChain = chain.length > 1 ? chain.slice(0, -1) : [...chain];
  return {
    identity,
    keyPem,
    certChain,
    roots,
    notBefore: Date.parse(leaf.validFrom),
    notAfter: Date.parse(leaf.validTo),
  };
}
