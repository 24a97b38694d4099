#!/usr/bin/env node
// Entry shim: checks the Node.js version before loading the TypeScript sources (run by Node's type stripping).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`ambientctl: needs Node.js >= 24, found ${process.version}. Run it through \`npx ambientctl\` after \`npm ci\`.`);
  process.exit(1);
}
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
