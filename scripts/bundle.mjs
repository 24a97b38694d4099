// Builds a program of the mesh as one JavaScript file in its package's dist/ folder, with the workspace's own
// TypeScript (the package and @mesh/common) bundled in and npm packages left as imports (they are JavaScript
// already and stay in node_modules). Programs: the per-node ones, ztunnel (ztunnel/dist/ztunnel.mjs) and the CNI
// node agent (cni/dist/cni-agent.mjs), and the CNI plugin (cni/dist/istio-cni.mjs, run by the container runtime
// for every pod: its start-up time is pod start-up time).
//
// Why ship a bundle rather than run the .ts sources: Node's type stripping loads a WebAssembly TypeScript
// parser into every process that runs a .ts file (~20 MB resident before the first line of ours runs), and every
// module loaded separately costs memory and start-up time of its own.
//
//   node scripts/bundle.mjs [program ...] [--outdir DIR]     (default: all; DIR default <package>/dist)
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The programs: package folder and entry point. */
const PROGRAMS = {
  ztunnel: { pkg: 'ztunnel', entry: 'src/main.ts' },
  'istio-cni': { pkg: 'cni', entry: 'src/plugin/main.ts' },
  'cni-agent': { pkg: 'cni', entry: 'src/agent/main.ts' },
};
const BUNDLED = Object.keys(PROGRAMS);

/**
 * Node builtins are taken with process.getBuiltinModule() inside the bundle instead of ESM imports. An ESM
 * import of a builtin builds a namespace of all its exports, which runs every lazy getter: `import ... from
 * 'node:http'` loads Node's whole fetch/WebSocket client (undici, ~14 MB resident) for its WebSocket getter, and
 * node:fs, node:util and node:process pull in a few MB more. As a CommonJS module inside the bundle, a builtin's
 * properties are read where they are used, so only what ztunnel calls is loaded.
 */
const builtinsOnDemand = {
  name: 'builtins-on-demand',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/** Bundles one program; returns the output file. */
export async function bundle(program, outdirOption) {
  const target = PROGRAMS[program];
  if (target === undefined) throw new Error(`bundle: unknown program ${program} (known: ${BUNDLED.join(', ')})`);
  const component = target.pkg;
  const outdir = outdirOption ?? path.join(ROOT, component, 'dist');
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'common', 'package.json'), 'utf8'));
  // npm dependencies of common and of the component stay imports when Node finds them from the output folder;
  // one that npm installed only under common/node_modules (protobufjs) is bundled in, since it would not be found.
  const own = JSON.parse(readFileSync(path.join(ROOT, component, 'package.json'), 'utf8'));
  const outfile = path.join(outdir, `${program}.mjs`);
  const fromOut = createRequire(outfile);
  const findable = (name) => {
    for (const spec of [`${name}/package.json`, name]) {
      try {
        fromOut.resolve(spec);
        return true;
      } catch {
        // try the next form: some packages export neither their package.json nor a require entry
      }
    }
    return false;
  };
  const external = [...new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(own.dependencies ?? {})])]
    .filter((name) => !name.startsWith('@mesh/') && findable(name))
    .flatMap((name) => [name, `${name}/*`]);
  const result = await build({
    write: false,
    entryPoints: [path.join(ROOT, component, target.entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    external,
    plugins: [builtinsOnDemand],
    // ASCII output: one non-ASCII character would make V8 keep the whole source as a two-byte string (2x).
    charset: 'ascii',
    // Whitespace and syntax only: names stay, so stack traces still read; V8 keeps every script's source.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    // `require` for the CommonJS code bundled in (protobufjs finds node:fs through it).
    banner: {
      js: [
        `// ${program}: built by scripts/bundle.mjs from ${component}/src and common/src; do not edit.`,
        "import { createRequire as __meshCreateRequire } from 'node:module';",
        'const require = __meshCreateRequire(import.meta.url);',
      ].join('\n'),
    },
  });
  // Each file replaced by a rename, never rewritten in place: a process starting from it at this moment (another
  // local cluster's ztunnel, a CNI plugin call) reads the old file or the new one, never half of one.
  mkdirSync(outdir, { recursive: true });
  for (const file of result.outputFiles) {
    const tmp = `${file.path}.tmp-${process.pid}`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
  }
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const components = [];
  let outdir;
  for (let i = 2; i < process.argv.length; i++) {
    if (process.argv[i] === '--outdir') outdir = path.resolve(process.argv[++i] ?? '.');
    else components.push(process.argv[i]);
  }
  for (const c of components.length > 0 ? components : BUNDLED) {
    const out = await bundle(c, outdir);
    console.log(`bundle: ${path.relative(process.cwd(), out) || out}`);
  }
}
