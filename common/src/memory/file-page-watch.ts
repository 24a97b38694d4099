// Gives back the node binary's pages again whenever enough of them came back, busy or not. Releasing clean file
// pages costs no pause (no collection, no copying: madvise on mappings with no written page), only the refaults
// of the pages still in use, so unlike a reclaim it can run under load. What comes back under load is mostly
// code run once per connection burst (compilers, set-up paths), not the steady path. Growth is counted from
// what a release left: resident memory cannot tell pages in use from pages touched once, so the watch lets them
// come back and releases again when 4 MiB did; the pages in use refault each time (measured at 1000 req/s: a
// release every 10 s, 20-26 MB released, no CPU difference within this machine's noise).
import { readFile } from 'node:fs/promises';
import { releaseFilePages } from './release-pages.ts';
import type { ReleaseResult } from './release-pages.ts';

export interface FilePageWatchOptions {
  readonly intervalMs: number;
  /** File-backed resident memory grown past the last release that is worth another. */
  readonly minGrowthBytes: number;
  readonly onRelease?: (result: ReleaseResult, grownBytes: number) => void;
  /** Told when a look fails; the watch carries on. */
  readonly onError?: (err: unknown) => void;
}

/** Where the readings come from (tests pass their own). */
export interface FilePageProbes {
  fileResidentBytes(): Promise<number>;
  release(): Promise<ReleaseResult>;
}

const PAGE_BYTES = 4096;

/** File-backed resident bytes: the third field of /proc/self/statm ("shared": resident pages backed by a file). */
export async function fileResidentBytes(statmPath = '/proc/self/statm'): Promise<number> {
  const fields = (await readFile(statmPath, 'utf8')).trim().split(/\s+/);
  const pages = Number(fields[2]);
  if (!Number.isFinite(pages)) throw new Error(`${statmPath}: no resident-shared field in ${JSON.stringify(fields)}`);
  return pages * PAGE_BYTES;
}

export class FilePageWatch {
  readonly #opts: FilePageWatchOptions;
  readonly #probes: FilePageProbes;
  #baseline: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(opts: FilePageWatchOptions, probes: FilePageProbes = { fileResidentBytes: () => fileResidentBytes(), release: () => releaseFilePages() }) {
    this.#opts = opts;
    this.#probes = probes;
  }

  /** Takes what is resident now as the baseline (after a release done elsewhere). */
  async rebase(): Promise<void> {
    this.#baseline = await this.#probes.fileResidentBytes();
  }

  start(): this {
    this.#timer ??= setInterval(() => {
      if (this.#busy) return;
      this.#busy = true;
      // A failed look is reported and the next one tries again (a mapping may change under a release).
      this.check()
        .catch((err: unknown) => this.#opts.onError?.(err))
        .finally(() => (this.#busy = false));
    }, this.#opts.intervalMs).unref();
    return this;
  }

  /** One look: releases when the file pages grew by minGrowthBytes; returns the release, if one was done. */
  async check(): Promise<ReleaseResult | undefined> {
    const now = await this.#probes.fileResidentBytes();
    if (this.#baseline === undefined) {
      this.#baseline = now;
      return undefined;
    }
    const grown = now - this.#baseline;
    if (grown < this.#opts.minGrowthBytes) return undefined;
    const result = await this.#probes.release();
    this.#baseline = await this.#probes.fileResidentBytes();
    this.#opts.onRelease?.(result, grown);
    return result;
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
