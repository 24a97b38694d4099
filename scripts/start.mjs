// `npm start`: sets up and runs the mesh demo on this machine. As root it installs any missing Debian packages
// (and says which), builds the native socket module if `npm ci` could not, then runs the demo
// (e2e/src/demo.ts): a two-node local cluster, an ambient namespace, a client and a server on different nodes,
// traffic over HBONE with mutual TLS, a DENY policy, and a summary with the commands to explore and tear down.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const step = (what, cmd, args) => {
  console.log(`start: ${what}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    console.error(`start: ${what} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
};

if (process.getuid?.() !== 0) {
  console.error('start: the demo creates network namespaces and iptables rules, so it must run as root');
  process.exit(1);
}
step('checking the Debian packages the mesh uses', 'bash', [join(root, 'scripts', 'install-debian-packages.sh')]);
if (!existsSync(join(root, 'common', 'native', 'build', 'Release', 'mesh_net.node'))) {
  step('building the native socket module', process.execPath, [join(root, 'scripts', 'build-native.mjs'), '--require']);
}
step('running the demo', process.execPath, [join(root, 'e2e', 'src', 'demo.ts')]);
