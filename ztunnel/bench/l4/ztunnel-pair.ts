// Our ztunnel pair from ztunnel/src/main.ts. Until ztunnel can run a pair outside pod netns, this reports
// why it is unavailable and the bench measures the bench-only HBONE pair instead.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchPki } from './certs.ts';
import type { ProxyPair } from './procs.ts';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/main.ts');

/** Why the real pair cannot run here, or undefined when it can. */
export function ztunnelPairUnavailable(): string | undefined {
  if (!existsSync(MAIN)) return 'ztunnel/src/main.ts does not exist yet';
  return 'ztunnel/src/main.ts has no mode the bench can drive yet';
}

export function startZtunnelPair(_dir: string, _pki: BenchPki, _appPort: number): Promise<ProxyPair> {
  return Promise.reject(new Error(ztunnelPairUnavailable() ?? 'not implemented'));
}
