// Builds the native socket module (common/native) with node-gyp. Run by `npm ci` (common's install script) and
// by `npm start`. On a fresh machine without a C++ toolchain, `npm ci` must still finish so that `npm start` can
// install the Debian packages: then this only warns, unless `--require` is given.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const common = join(dirname(fileURLToPath(import.meta.url)), '..', 'common');
export const ADDON = join(common, 'native', 'build', 'Release', 'mesh_net.node');
const required = process.argv.includes('--require');

const missingTools = ['make', 'g++'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
// The HBONE data path compiles against nghttp2's and OpenSSL's headers (Debian's libnghttp2-dev, libssl-dev).
for (const [header, pkg] of [['/usr/include/nghttp2/nghttp2.h', 'libnghttp2-dev'], ['/usr/include/openssl/ssl.h', 'libssl-dev']]) {
  if (!existsSync(header)) missingTools.push(pkg);
}
if (missingTools.length > 0) {
  const msg = `build-native: cannot build the native socket module yet: ${missingTools.join(', ')} not installed`;
  if (required) {
    console.error(msg);
    process.exit(1);
  }
  console.warn(`${msg} (npm start installs them and builds it; .ci/run installs them before npm ci)`);
  process.exit(0);
}
const gyp = spawnSync('npx', ['node-gyp', 'rebuild', '--directory=native'], { cwd: common, stdio: 'inherit' });
if (gyp.status !== 0 || !existsSync(ADDON)) {
  console.error('build-native: node-gyp failed to build common/native');
  process.exit(1);
}
