import type { Group__Output } from '../gen/istio/security/Group.ts';
import type { Rules__Output } from '../gen/istio/security/Rules.ts';
import { invalidPolicy } from './authz-error.ts';
import { type Authorization, emptyMatch, PRESENCE } from './authorization-parts.ts';
import { type KubeMeta, type KubeObject, readKubeObject } from './kube-objects.ts';
import type { ObjectReader } from './object-reader.ts';

/** PeerAuthentication mTLS modes; a missing `mtls` or `mode` is UNSET (inherit from the parent). */
export type MtlsMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

const MODES: readonly MtlsMode[] = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];

/** Name prefix istiod gives converted PeerAuthentications (`_` cannot occur in Kubernetes names). */
export const PEER_AUTHENTICATION_PREFIX = 'converted_peer_authentication_';

/** A PeerAuthentication reduced to what conversion needs. */
export interface PeerAuthentication {
  readonly meta: KubeMeta;
  /** True when `spec.selector` is present (even with no labels), as istiod tests it. */
  readonly hasSelector: boolean;
  /** True when the selector has at least one label (istiod's test for "workload policy" in some places). */
  readonly hasSelectorLabels: boolean;
  readonly mode: MtlsMode;
  /** Port-level modes, sorted by port as istiod iterates them. */
  readonly portModes: readonly { readonly port: number; readonly mode: MtlsMode }[];
}

/** Validates a PeerAuthentication object; throws `ERR_AUTHZ_INVALID_POLICY` naming the field. */
export function readPeerAuthentication(obj: KubeObject | unknown): PeerAuthentication {
  const { meta, spec, where } = readKubeObject(obj, 'PeerAuthentication');
  spec.onlyKeys(['selector', 'mtls', 'portLevelMtls']);
  const selector = spec.object('selector');
  const labels = selector?.object('matchLabels');
  const portReader = spec.object('portLevelMtls');
  const portModes = Object.keys(portReader?.value ?? {}).map((key) => {
    if (!/^[0-9]{1,5}$/.test(key) || Number(key) < 1 || Number(key) > 65535) {
      invalidPolicy(where, `spec.portLevelMtls key must be a port number 1-65535, got ${JSON.stringify(key)}`);
    }
    return { port: Number(key), mode: readMode(portReader?.object(key)) };
  });
  portModes.sort((a, b) => a.port - b.port);
  return {
    meta,
    hasSelector: selector !== undefined,
    hasSelectorLabels: Object.keys(labels?.value ?? {}).length > 0,
    mode: readMode(spec.object('mtls')),
    portModes,
  };
}

function readMode(mtls: ObjectReader | undefined): MtlsMode {
  if (!mtls) return 'UNSET';
  mtls.onlyKeys(['mode']);
  const mode = mtls.string('mode') ?? 'UNSET';
  if (!(MODES as readonly string[]).includes(mode)) {
    invalidPolicy(mtls.where, `${mtls.field('mode')} must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  }
  return mode as MtlsMode;
}

const strict = (pa: PeerAuthentication | null): boolean => pa !== null && pa.mode === 'STRICT';
const unset = (pa: PeerAuthentication | null): boolean => pa === null || pa.mode === 'UNSET';

/**
 * Converts a workload PeerAuthentication with port-level mTLS into the DENY policy istiod sends ztunnel, taking
 * the namespace-wide (`namespacePolicy`) and mesh-wide (`meshPolicy`) PeerAuthentications into account. Returns
 * null for anything else: namespace- and mesh-wide STRICT are enforced by the static strict policy instead.
 */
export function convertPeerAuthentication(
  rootNamespace: string,
  pa: KubeObject | unknown,
  namespacePolicy?: KubeObject | unknown | null,
  meshPolicy?: KubeObject | unknown | null,
): Authorization | null {
  const cfg = readPeerAuthentication(pa);
  const ns = namespacePolicy == null ? null : readPeerAuthentication(namespacePolicy);
  const root = meshPolicy == null ? null : readPeerAuthentication(meshPolicy);
  if (cfg.meta.namespace === rootNamespace || !cfg.hasSelector || cfg.portModes.length === 0) return null;

  const rules: Rules__Output[] = [];
  const groups: Group__Output[] = [];
  const denyWithoutIdentity = (): Rules__Output => ({ matches: [emptyMatch({ not_principals: [{ ...PRESENCE }] })] });
  if (cfg.mode === 'STRICT') rules.push(denyWithoutIdentity());

  let foundNonStrictPort = false;
  for (const { port, mode } of cfg.portModes) {
    if (mode === 'STRICT') {
      // The parent already enforces STRICT on this port. The grouping reproduces istiod's expression exactly:
      // its third case (mesh STRICT, namespace nil/UNSET) is not guarded by the workload mode being UNSET.
      const parentStrict =
        strict(cfg) ||
        (unset(cfg) && ns !== null && strict(ns)) ||
        ((ns === null || unset(ns)) && root !== null && strict(root));
      if (parentStrict) continue;
      // Groups are OR-ed: one per STRICT port.
      groups.push({ rules: [{ matches: [emptyMatch({ not_principals: [{ ...PRESENCE }], destination_ports: [port] })] }] });
    } else if (mode === 'PERMISSIVE' || mode === 'DISABLE') {
      if (cfg.mode === 'PERMISSIVE' || cfg.mode === 'DISABLE') continue;
      const parentNotStrict =
        cfg.mode === 'UNSET' &&
        ((ns !== null && !strict(ns)) || (ns === null && root !== null && !strict(root)) || (ns === null && root === null));
      if (parentNotStrict) continue;
      foundNonStrictPort = true;
      // Exempt this port from the deny: the clause only matches connections to other ports.
      rules.push({ matches: [emptyMatch({ not_destination_ports: [port] })] });
    }
  }
  // STRICT with only STRICT ports is plain STRICT: the static strict policy covers it.
  if (cfg.mode === 'STRICT' && !foundNonStrictPort) return null;
  if (rules.length === 0 && groups.length === 0) return null;

  // With a STRICT parent, fold its strictness into this policy: any matching DENY wins, so the static strict
  // policy plus a port exception could not express "STRICT except this port".
  const mergeStrict =
    (root !== null && strict(root) && (ns === null || unset(ns) || strict(ns))) || (ns !== null && strict(ns));
  if (mergeStrict && foundNonStrictPort) rules.push(denyWithoutIdentity());
  if (rules.length) groups.push({ rules });

  return {
    name: PEER_AUTHENTICATION_PREFIX + cfg.meta.name,
    namespace: cfg.meta.namespace,
    scope: 'WORKLOAD_SELECTOR',
    action: 'DENY',
    groups,
    dry_run: false,
    extensions: [],
  };
}
