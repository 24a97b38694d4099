// Hands back the file-backed pages a process touched while starting (module loading, compiling, TLS and
// HTTP/2 set-up, the V8 snapshot): a per-node proxy then reports, and holds, only its working set. The pages
// stay in the page cache; whatever the running proxy still uses comes back on first touch.
import { readFile } from 'node:fs/promises';
import { native } from '../net/native.ts';
import { droppableMappings, parseSmaps } from './file-pages.ts';

/** What a release did. */
export interface ReleaseResult {
  /** Mappings whose pages were dropped. */
  readonly mappings: number;
  /** Resident kB they held before. */
  readonly releasedKb: number;
  /** Why nothing was done, when nothing was. */
  readonly skipped?: string;
}

/** Drops the resident pages of this process's droppable file mappings (see droppableMappings). */
export async function releaseFilePages(smapsPath = '/proc/self/smaps'): Promise<ReleaseResult> {
  const addon = native();
  if (typeof addon.dropPages !== 'function') {
    return { mappings: 0, releasedKb: 0, skipped: 'the mesh_net addon predates dropPages (rebuild it: npm run install -w @mesh/common)' };
  }
  const chosen = droppableMappings(parseSmaps(await readFile(smapsPath, 'utf8')));
  let releasedKb = 0;
  for (const m of chosen) {
    addon.dropPages(m.start, m.end - m.start);
    releasedKb += m.rssKb;
  }
  return { mappings: chosen.length, releasedKb };
}
