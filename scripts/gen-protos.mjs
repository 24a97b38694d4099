// Regenerates common/src/gen/ (TypeScript types of every proto message the mesh uses) from
// common/proto/ (Istio's protos, written by us) and Envoy's xDS protos shipped in @grpc/grpc-js-xds.
// The generated files are never edited by hand; run `npm run gen` after changing a .proto or the list below.
import { spawnSync } from 'node:child_process';
import { globSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const common = join(root, 'common');
// The same file list and include folders as the runtime loader, so the types match what is decoded.
const { PROTO_FILES } = await import(join(common, 'src/proto/files.ts'));
const { protoIncludeDirs } = await import(join(common, 'src/proto/paths.ts'));

const outDir = join(common, 'src/gen');
rmSync(outDir, { recursive: true, force: true });
const args = [
  ...PROTO_FILES,
  '--keepCase', '--longs=String', '--enums=String', '--defaults', '--oneofs',
  '--grpcLib=@grpc/grpc-js', '--importFileExtension=.ts', '--targetFileExtension=.ts',
  '-O', outDir,
  // `--includeDirs=` form: the array option would otherwise swallow the file names after it.
  ...protoIncludeDirs().map((d) => `--includeDirs=${d}`),
];
const bin = join(root, 'node_modules/.bin/proto-loader-gen-types');
const r = spawnSync(bin, args, { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
// The generator records each source's absolute path; keep only the path inside the repository or package.
let count = 0;
for (const file of globSync('**/*.ts', { cwd: outDir })) {
  const path = join(outDir, file);
  const text = readFileSync(path, 'utf8').replace(/^\/\/ Original file: .*?(node_modules\/|common\/proto\/)/gm, '// Original file: $1');
  writeFileSync(path, text);
  count++;
}
console.log(`gen-protos: wrote ${count} files to common/src/gen`);

// The prebuilt descriptors (common/src/proto/descriptors.ts): each set parsed from the .proto files, as JSON.
const { ProtoCodec } = await import(join(common, 'src/proto/codec.ts'));
const { DESCRIPTOR_SETS } = await import(join(common, 'src/proto/files.ts'));
const { descriptorPath } = await import(join(common, 'src/proto/descriptors.ts'));
mkdirSync(join(outDir, 'descriptors'), { recursive: true });
for (const set of DESCRIPTOR_SETS) {
  writeFileSync(descriptorPath(set.name), `${JSON.stringify(ProtoCodec.parse(set.files).root.toJSON(), null, 1)}\n`);
}
console.log(`gen-protos: wrote ${DESCRIPTOR_SETS.length} descriptors to common/src/gen/descriptors`);
