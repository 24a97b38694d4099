// Process memory: handing back pages a long-running proxy no longer needs.
export { droppableMappings, parseSmaps } from './file-pages.ts';
export type { Mapping } from './file-pages.ts';
export { releaseFilePages } from './release-pages.ts';
export type { ReleaseResult } from './release-pages.ts';
export { heapPhysicalBytes, reclaimMemory } from './reclaim.ts';
export type { ReclaimResult } from './reclaim.ts';
export { IdleReclaimer, shouldReclaim } from './idle-reclaim.ts';
export type { IdleReclaimOptions, ReclaimInputs, ReclaimProbes } from './idle-reclaim.ts';
export { FilePageWatch, fileResidentBytes } from './file-page-watch.ts';
export type { FilePageProbes, FilePageWatchOptions } from './file-page-watch.ts';
