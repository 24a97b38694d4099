// LOCAL_XDS_PATH: the state from a YAML file instead of istiod (ztunnel's local config): `workloads`,
// `services` and `policies` lists, fields in proto JSON (camelCase) or proto (snake_case) names; IPs as text,
// service VIPs as `network/ip` or `ip`; policies in the proto-JSON form `ambientctl x authz convert` prints.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readFile, stat } from 'node:fs/promises';
import { compilePolicy, fromProtoJson } from '@mesh/common/authz';
import type { Policy } from '@mesh/common/authz';
import { errorMessage } from '@mesh/common/errors';
import type * as Yaml from 'yaml';
import { ZtunnelError } from '../errors.ts';
import { toService, toWorkload } from './convert.ts';
import type { AddressValue } from './convert.ts';
import type { ProxyState } from './store.ts';
import { serviceKey } from './types.ts';

/** The parsed content of a local config file. */
export interface LocalConfig {
  readonly addresses: Map<string, AddressValue>;
  readonly policies: Map<string, Policy>;
}

/**
 * YAML text to a value. JSON (which is YAML) is parsed without loading the YAML library, ~4 MB of resident
 * memory that a ztunnel fed by istiod never needs; anything else, and JSON that does not parse, goes to the
 * library (so its error message names the line).
 */
function parseYaml(text: string): unknown {
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      // fall through: the YAML parser reports where the text is wrong
    }
  }
  return (createRequire(import.meta.url)('yaml') as typeof Yaml).parse(text);
}

/** Parses the YAML text; throws ERR_ZTUNNEL_LOCAL_CONFIG naming the entry that is wrong. */
export function parseLocalConfig(text: string, trustDomain: string): LocalConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ZtunnelError('ERR_ZTUNNEL_LOCAL_CONFIG', `local config is not YAML: ${errorMessage(err)}`);
  }
  doc ??= {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ZtunnelError('ERR_ZTUNNEL_LOCAL_CONFIG', 'local config must be a mapping with workloads, services, policies');
  }
  const d = doc as Record<string, unknown>;
  const unknownKeys = Object.keys(d).filter((k) => !['workloads', 'services', 'policies'].includes(k));
  if (unknownKeys.length > 0) {
    throw new ZtunnelError('ERR_ZTUNNEL_LOCAL_CONFIG', `local config has unknown keys: ${unknownKeys.join(', ')}`);
  }
  const addresses = new Map<string, AddressValue>();
  const policies = new Map<string, Policy>();
  const each = (key: string, fn: (v: unknown, i: number) => void) => {
    const items = d[key] ?? [];
    if (!Array.isArray(items)) throw new ZtunnelError('ERR_ZTUNNEL_LOCAL_CONFIG', `local config: ${key} must be a list`);
    items.forEach((v, i) => {
      try {
        fn(v, i);
      } catch (err) {
        throw new ZtunnelError('ERR_ZTUNNEL_LOCAL_CONFIG', `local config ${key}[${i}]: ${errorMessage(err)}`, { cause: err });
      }
    });
  };
  each('workloads', (v) => {
    const w = toWorkload(v, trustDomain);
    addresses.set(w.uid, { kind: 'workload', workload: w });
  });
  each('services', (v) => {
    const s = toService(v);
    addresses.set(serviceKey(s), { kind: 'service', service: s });
  });
  each('policies', (v) => {
    const p = compilePolicy(fromProtoJson(v));
    policies.set(p.key, p);
  });
  return { addresses, policies };
}

/** Loads the file into the state (all or nothing: a bad file leaves the state as it was). */
export async function loadLocalConfig(path: string, state: ProxyState, trustDomain: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ZtunnelError('ERR_ZTUNNEL_LOCAL_CONFIG', `cannot read LOCAL_XDS_PATH ${path}: ${errorMessage(err)}`, { cause: err });
  }
  const parsed = parseLocalConfig(text, trustDomain);
  state.replaceAll(parsed.addresses, parsed.policies);
}

/**
 * Reloads the file when it changes (its mtime or size differs from the version last seen, polled every
 * `intervalMs`; this also survives editors that replace the file). A bad version is reported and the last
 * good state stays. Returns the stop function.
 */
export function watchLocalConfig(
  path: string,
  state: ProxyState,
  trustDomain: string,
  report: (err: Error | undefined) => void,
  intervalMs = 1000,
): () => void {
  let last = { mtimeMs: -1, size: -1 };
  try {
    const st = statSync(path);
    last = { mtimeMs: st.mtimeMs, size: st.size };
  } catch {
    // Missing now: any later file is a change.
  }
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    stat(path)
      .then(async (cur) => {
        if (cur.mtimeMs === last.mtimeMs && cur.size === last.size) return;
        last = { mtimeMs: cur.mtimeMs, size: cur.size };
        try {
          await loadLocalConfig(path, state, trustDomain);
          report(undefined);
        } catch (err) {
          report(err as Error);
        }
      })
      .catch(() => {
        // Missing for now (being replaced): look again next tick.
      })
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
