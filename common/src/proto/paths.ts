import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INCLUDE_SUBDIRS } from './files.ts';

/** The folders protos are resolved from: ours first, then the Envoy/xDS/googleapis sets shipped by grpc-js-xds. */
export function protoIncludeDirs(): string[] {
  const ours = fileURLToPath(new URL('../../proto', import.meta.url));
  const require = createRequire(import.meta.url);
  const xdsDeps = `${dirname(require.resolve('@grpc/grpc-js-xds/package.json'))}/deps`;
  return [ours, ...INCLUDE_SUBDIRS.map((d) => `${xdsDeps}/${d}`)];
}
