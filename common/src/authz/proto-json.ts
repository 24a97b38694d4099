import type { Address__Output } from '../gen/istio/security/Address.ts';
import type { Match__Output } from '../gen/istio/security/Match.ts';
import type { StringMatch__Output } from '../gen/istio/security/StringMatch.ts';
import { invalidPolicy } from './authz-error.ts';
import { type Authorization, emptyMatch } from './authorization-parts.ts';
import { describe, ObjectReader } from './object-reader.ts';

/** An Authorization in proto3 JSON form: camelCase names, base64 bytes, enums as names, defaults omitted. */
export type AuthorizationJson = Record<string, unknown>;

/** Match list fields: proto name ↔ JSON name, and what they hold. */
const MATCH_FIELDS = [
  ['namespaces', 'namespaces', 'string'],
  ['not_namespaces', 'notNamespaces', 'string'],
  ['principals', 'principals', 'string'],
  ['not_principals', 'notPrincipals', 'string'],
  ['source_ips', 'sourceIps', 'address'],
  ['not_source_ips', 'notSourceIps', 'address'],
  ['destination_ips', 'destinationIps', 'address'],
  ['not_destination_ips', 'notDestinationIps', 'address'],
  ['destination_ports', 'destinationPorts', 'port'],
  ['not_destination_ports', 'notDestinationPorts', 'port'],
  ['service_accounts', 'serviceAccounts', 'serviceAccount'],
  ['not_service_accounts', 'notServiceAccounts', 'serviceAccount'],
] as const;

/**
 * Proto3 JSON of an Authorization, the form istiod's goldens and `ambientctl x authz convert` print. Extensions
 * are left out: nothing in the mesh produces them.
 */
export function toProtoJson(a: Authorization): AuthorizationJson {
  const out: AuthorizationJson = {};
  if (a.name) out.name = a.name;
  if (a.namespace) out.namespace = a.namespace;
  if (a.scope !== 'GLOBAL') out.scope = a.scope;
  if (a.action !== 'ALLOW') out.action = a.action;
  if (a.dry_run) out.dryRun = true;
  if (a.groups.length) {
    out.groups = a.groups.map((g) =>
      g.rules.length ? { rules: g.rules.map((r) => (r.matches.length ? { matches: r.matches.map(matchJson) } : {})) } : {},
    );
  }
  return out;
}

function matchJson(m: Match__Output): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [proto, json, kind] of MATCH_FIELDS) {
    const list = m[proto] as readonly unknown[];
    if (!list.length) continue;
    if (kind === 'string') out[json] = (list as StringMatch__Output[]).map(stringMatchJson);
    else if (kind === 'address') out[json] = (list as Address__Output[]).map(addressJson);
    else if (kind === 'port') out[json] = [...(list as number[])];
    else {
      out[json] = (list as { namespace: string; serviceAccount: string }[]).map((sa) => ({
        ...(sa.namespace ? { namespace: sa.namespace } : {}),
        ...(sa.serviceAccount ? { serviceAccount: sa.serviceAccount } : {}),
      }));
    }
  }
  return out;
}

function stringMatchJson(s: StringMatch__Output): Record<string, unknown> {
  switch (s.match_type) {
    case 'presence':
      return { presence: {} };
    case 'exact':
    case 'prefix':
    case 'suffix':
      return { [s.match_type]: s[s.match_type] ?? '' };
    default:
      return {};
  }
}

function addressJson(a: Address__Output): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (a.address.length) out.address = Buffer.from(a.address).toString('base64');
  if (a.length) out.length = a.length;
  return out;
}

/**
 * Reads an Authorization from proto3 JSON (as printed by {@link toProtoJson}; proto field names are accepted
 * too). Throws `ERR_AUTHZ_INVALID_POLICY` naming the field on anything malformed.
 */
export function fromProtoJson(value: unknown): Authorization {
  const top = new ObjectReader('Authorization', '', value);
  const where = `Authorization ${pick(top, 'namespace') ?? ''}/${pick(top, 'name') ?? ''}`;
  const r = new ObjectReader(where, '', value);
  r.onlyKeys(['name', 'namespace', 'scope', 'action', 'groups', 'dryRun', 'dry_run']);
  const scope = r.string('scope') ?? 'GLOBAL';
  if (scope !== 'GLOBAL' && scope !== 'NAMESPACE' && scope !== 'WORKLOAD_SELECTOR') {
    invalidPolicy(where, `scope must be GLOBAL, NAMESPACE or WORKLOAD_SELECTOR, got ${JSON.stringify(scope)}`);
  }
  const action = r.string('action') ?? 'ALLOW';
  if (action !== 'ALLOW' && action !== 'DENY') invalidPolicy(where, `action must be ALLOW or DENY, got ${JSON.stringify(action)}`);
  return {
    name: r.string('name') ?? '',
    namespace: r.string('namespace') ?? '',
    scope,
    action,
    dry_run: r.boolean('dryRun') ?? r.boolean('dry_run') ?? false,
    extensions: [],
    groups: r.objects('groups').map((g) => {
      g.onlyKeys(['rules']);
      return {
        rules: g.objects('rules').map((rule) => {
          rule.onlyKeys(['matches']);
          return { matches: rule.objects('matches').map(readMatch) };
        }),
      };
    }),
  };
}

function pick(r: ObjectReader, key: string): string | undefined {
  const v = r.value[key];
  return typeof v === 'string' ? v : undefined;
}

function readMatch(m: ObjectReader): Match__Output {
  m.onlyKeys(MATCH_FIELDS.flatMap(([proto, json]) => [proto, json]));
  const out = emptyMatch();
  for (const [proto, json, kind] of MATCH_FIELDS) {
    const key = m.has(json) ? json : proto;
    if (kind === 'port') {
      (out[proto] as number[]) = m.list(key).map((p, i) => {
        if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 65535) {
          invalidPolicy(m.where, `${m.field(key)}[${i}] must be a port number 0-65535, got ${describe(p)}`);
        }
        return p;
      });
    } else if (kind === 'string') {
      (out[proto] as StringMatch__Output[]) = m.objects(key).map(readStringMatch);
    } else if (kind === 'address') {
      (out[proto] as Address__Output[]) = m.objects(key).map(readAddress);
    } else {
      out[proto] = m.objects(key).map((sa) => {
        sa.onlyKeys(['namespace', 'serviceAccount']);
        return { namespace: sa.string('namespace') ?? '', serviceAccount: sa.string('serviceAccount') ?? '' };
      });
    }
  }
  return out;
}

function readStringMatch(s: ObjectReader): StringMatch__Output {
  s.onlyKeys(['exact', 'prefix', 'suffix', 'presence']);
  const set = Object.keys(s.value);
  if (set.length !== 1) invalidPolicy(s.where, `${s.path} must set exactly one of exact, prefix, suffix, presence`);
  const kind = set[0] as 'exact' | 'prefix' | 'suffix' | 'presence';
  if (kind === 'presence') {
    s.object('presence');
    return { presence: {}, match_type: 'presence' };
  }
  return { [kind]: s.string(kind) ?? '', match_type: kind };
}

function readAddress(a: ObjectReader): Address__Output {
  a.onlyKeys(['address', 'length']);
  const text = a.string('address') ?? '';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) invalidPolicy(a.where, `${a.field('address')} must be base64`);
  const length = a.value.length ?? 0;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
    invalidPolicy(a.where, `${a.field('length')} must be a non-negative integer, got ${describe(length)}`);
  }
  return { address: Buffer.from(text, 'base64'), length };
}
