import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from './logger.ts';
import type { LoggerOptions } from './logger.ts';

function collect(options: Omit<LoggerOptions, 'destination'> = {}) {
  const lines: string[] = [];
  const root = createLogger({ ...options, destination: { write: (s: string) => void lines.push(s) } });
  const json = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { root, lines, json };
}

test('json records carry time, level label, scope and msg', () => {
  const { root, json } = collect();
  root.scope('xds').info({ type: 'wds' }, 'connected');
  const [rec] = json();
  assert.equal(rec?.level, 'info');
  assert.equal(rec?.scope, 'xds');
  assert.equal(rec?.msg, 'connected');
  assert.equal(rec?.type, 'wds');
  assert.match(String(rec?.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(rec?.pid, undefined, 'no pid/hostname noise');
});

test('the default level filters every scope; a scope override changes only that scope', () => {
  const { root, json } = collect({ level: 'info' });
  const xds = root.scope('xds');
  const ca = root.scope('ca');
  xds.debug('hidden');
  root.setLevel('xds', 'debug');
  xds.debug('xds debug');
  ca.debug('ca debug hidden');
  assert.deepEqual(json().map((r) => r.msg), ['xds debug']);
});

test('setLevel(undefined) changes the default for scopes without override, including existing ones', () => {
  const { root, json } = collect({ level: 'info' });
  const xds = root.scope('xds');
  const ca = root.scope('ca');
  root.setLevel('xds', 'debug');
  root.setLevel(undefined, 'warn');
  ca.info('ca info hidden');
  ca.warn('ca warn');
  xds.debug('xds still debug');
  root.logger.info('default info hidden');
  root.scope('later').info('later scope follows the default: hidden');
  assert.deepEqual(json().map((r) => r.msg), ['ca warn', 'xds still debug']);
});

test('scope() returns the same logger for the same name, so level changes reach every holder', () => {
  const { root } = collect();
  assert.equal(root.scope('xds'), root.scope('xds'));
  root.setLevel('xds', 'none');
  assert.equal(root.scope('xds').isLevelEnabled('error'), false);
});

test('an override set before the scope exists applies when it is created; clearLevel removes it', () => {
  const { root } = collect({ level: 'info' });
  root.setLevel('dns', 'trace');
  assert.equal(root.scope('dns').isLevelEnabled('trace'), true);
  root.clearLevel('dns');
  assert.equal(root.scope('dns').isLevelEnabled('debug'), false);
});

test('applyLevels takes the Istio syntax; levels() and describeLevels() report it', () => {
  const { root } = collect({ levels: 'xds:debug,default:warn' });
  root.scope('ca');
  root.applyLevels('ca:error');
  assert.deepEqual(root.levels(), { default: 'warn', scopes: { ca: 'error', xds: 'debug' } });
  assert.equal(root.describeLevels(), 'default:warn,ca:error,xds:debug');
});

test('a bad level list is rejected and changes nothing', () => {
  const { root } = collect();
  assert.throws(() => root.applyLevels('xds:debug,ca:loud'), { code: 'ERR_LOG_INVALID_LEVEL' });
  assert.deepEqual(root.levels(), { default: 'info', scopes: {} });
  assert.throws(() => createLogger({ levels: 'nope:nope', destination: { write: () => {} } }), /invalid log level/);
});

test('text format writes one tab-separated header and key=value fields per line', () => {
  const { root, lines } = collect({ format: 'text' });
  root.scope('proxy').info({ 'src.addr': '10.0.0.1:4000', bytes: 12, ok: true, note: 'two words' }, 'hello');
  assert.equal(lines.length, 1);
  const line = lines[0]!;
  assert.ok(line.endsWith('\n'));
  const [time, level, scope, msg, fields, extra] = line.slice(0, -1).split('\t');
  assert.match(time!, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual([level, scope, msg, extra], ['info', 'proxy', 'hello', undefined]);
  assert.equal(fields, 'src.addr=10.0.0.1:4000 bytes=12 ok=true note="two words"');
});

test('text format keeps multi-line messages on one line and renders errors by message', () => {
  const { root, lines } = collect({ format: 'text' });
  root.logger.error({ err: new Error('bad "thing"') }, 'line1\nline2');
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.split('\n').length, 2, 'only the trailing newline');
  assert.match(lines[0]!, /\tline1\\nline2\t/);
  assert.match(lines[0]!, /err="bad \\"thing\\""\n$/);
});

test('flush resolves for a destination without flush()', async () => {
  const { root } = collect({ format: 'text' });
  await root.flush();
});
