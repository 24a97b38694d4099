import { dirname, join } from 'node:path';
import { commonPackageDir, requireFromCommon } from '../package-dir.ts';
import { INCLUDE_SUBDIRS } from './files.ts';

/** The folders protos are resolved from: ours first, then the Envoy/xDS/googleapis sets shipped by grpc-js-xds. */
export function protoIncludeDirs(): string[] {
  const ours = join(commonPackageDir(), 'proto');
  const require = requireFromCommon();
  const xdsDeps = `${dirname(require.resolve('@grpc/grpc-js-xds/package.json'))}/deps`;
  return [ours, ...INCLUDE_SUBDIRS.map((d) => `${xdsDeps}/${d}`)];
}
