// Process memory: handing back pages a long-running proxy no longer needs.
export { droppableMappings, parseSmaps } from './file-pages.ts';
export type { Mapping } from './file-pages.ts';
export { releaseFilePages } from './release-pages.ts';
export type { ReleaseResult } from './release-pages.ts';
