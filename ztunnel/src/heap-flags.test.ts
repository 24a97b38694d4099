import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HEAP_FLAGS } from './heap-flags.ts';

const MODULE_URL = new URL('./heap-flags.ts', import.meta.url).href;

/** Runs a script that calls ensureHeapFlags() and prints its execArgv, argv tail and pid check. */
function run(nodeArgs: string[], env: NodeJS.ProcessEnv = {}): { execArgv: string[]; args: string[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heap-flags-'));
  try {
    const script = path.join(dir, 'probe.mjs');
    writeFileSync(
      script,
      `const { ensureHeapFlags } = await import(${JSON.stringify(MODULE_URL)});\n` +
        'ensureHeapFlags();\n' +
        'process.stdout.write(JSON.stringify({ execArgv: process.execArgv, args: process.argv.slice(2) }));\n',
    );
    const out = execFileSync(process.execPath, [...nodeArgs, script, 'a', 'b'], { env: { ...process.env, NODE_OPTIONS: '', ...env }, timeout: 30_000 });
    return JSON.parse(out.toString()) as { execArgv: string[]; args: string[] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('re-executes with the heap flags, keeping node flags and arguments', () => {
  const r = run(['--no-warnings']);
  for (const f of HEAP_FLAGS) assert.ok(r.execArgv.includes(f), `${f} missing from ${r.execArgv.join(' ')}`);
  assert.ok(r.execArgv.includes('--no-warnings'));
  assert.deepEqual(r.args, ['a', 'b']);
});

test('leaves a caller that set one of the flags alone', () => {
  const r = run(['--max-semi-space-size=4']);
  assert.deepEqual(r.execArgv, ['--max-semi-space-size=4']);
  const viaEnv = run([], { NODE_OPTIONS: '--max-semi-space-size=2' });
  assert.deepEqual(viaEnv.execArgv, []);
});
