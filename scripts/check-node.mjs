// Fails fast when the Node.js running npm scripts is older than the project needs.
// `npm run` puts node_modules/.bin first on PATH, so the `node@24` devDependency is the one found here.
const REQUIRED_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major < REQUIRED_MAJOR) {
  console.error(
    `error: this project needs Node.js >= ${REQUIRED_MAJOR}, but found ${process.version} (${process.execPath}).\n` +
      'Run `npm ci` first: it installs Node 24 as the devDependency `node`, which `npm run` and `npx` then use.',
  );
  process.exit(1);
}
