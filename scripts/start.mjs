// `npm start`: sets up and runs the mesh demo. The demo (a two-node local cluster with traffic, mTLS and a
// policy) is not built yet; until it is, this checks the installation and says so.
import { spawnSync } from 'node:child_process';

const steps = [
  ['ambientctl version', ['ambientctl/bin/ambientctl.js', 'version']],
];
for (const [what, args] of steps) {
  console.log(`start: running \`${what}\``);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
console.log(
  'start: the toolchain works (Node.js ' + process.version + ', the ambientctl CLI). The local mesh demo is not ' +
    'built yet; see README.md for what exists today and `npm test` for what it does.',
);
