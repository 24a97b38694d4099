import type { ResourceType } from './registry.ts';
import type { KubeObject } from './store.ts';

/** One column of a `meta.k8s.io/v1` Table; priority 1 columns show only with `-o wide`. */
interface Column {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'date';
  readonly priority: 0 | 1;
  readonly cell: (o: KubeObject, now: number) => string | number;
}

/** True when the client asked for server-side printing (kubectl get does). */
export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

/** A short age like kubectl prints: 45s, 3m12s, 17m, 5h3m, 20h, 3d4h, 40d, 2y. */
export function humanAge(from: string | undefined, now: number): string {
  const t = from ? Date.parse(from) : NaN;
  if (Number.isNaN(t)) return '<unknown>';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (h < 3) return `${m}m`;
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 730) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

type Any = Record<string, unknown> & { [k: string]: Any | undefined };
const at = (o: KubeObject, path: string): unknown => path.split('.').reduce<unknown>((cur, k) => (cur && typeof cur === 'object' ? (cur as Any)[k] : undefined), o);
const str = (o: KubeObject, path: string, empty = '<none>'): string => {
  const v = at(o, path);
  return v === undefined || v === null || v === '' ? empty : String(v);
};
const count = (v: unknown): number => (v && typeof v === 'object' ? Object.keys(v).length : 0);

const NAME: Column = { name: 'Name', type: 'string', priority: 0, cell: (o) => o.metadata.name ?? '' };
const AGE: Column = { name: 'Age', type: 'string', priority: 0, cell: (o, now) => humanAge(o.metadata.creationTimestamp, now) };

function podStatus(o: KubeObject): string {
  if (o.metadata.deletionTimestamp) return 'Terminating';
  return str(o, 'status.phase', 'Pending');
}

function podReady(o: KubeObject): string {
  const containers = (at(o, 'spec.containers') as unknown[] | undefined) ?? [];
  const statuses = (at(o, 'status.containerStatuses') as { ready?: boolean }[] | undefined) ?? [];
  return `${statuses.filter((c) => c.ready).length}/${containers.length}`;
}

function servicePorts(o: KubeObject): string {
  const ports = (at(o, 'spec.ports') as { port?: number; protocol?: string; nodePort?: number }[] | undefined) ?? [];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${p.port ?? ''}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

function nodeReady(o: KubeObject): string {
  const conds = (at(o, 'status.conditions') as { type?: string; status?: string }[] | undefined) ?? [];
  const ready = conds.find((c) => c.type === 'Ready');
  return ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
}

/** Columns per kind, close to what kubectl shows against a real cluster; other kinds get Name and Age. */
const COLUMNS: Record<string, Column[]> = {
  '/namespaces': [NAME, { name: 'Status', type: 'string', priority: 0, cell: (o) => str(o, 'status.phase', 'Active') }, AGE],
  '/pods': [
    NAME,
    { name: 'Ready', type: 'string', priority: 0, cell: podReady },
    { name: 'Status', type: 'string', priority: 0, cell: podStatus },
    { name: 'Restarts', type: 'integer', priority: 0, cell: (o) => ((at(o, 'status.containerStatuses') as { restartCount?: number }[] | undefined) ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0) },
    AGE,
    { name: 'IP', type: 'string', priority: 1, cell: (o) => str(o, 'status.podIP') },
    { name: 'Node', type: 'string', priority: 1, cell: (o) => str(o, 'spec.nodeName') },
  ],
  '/services': [
    NAME,
    { name: 'Type', type: 'string', priority: 0, cell: (o) => str(o, 'spec.type', 'ClusterIP') },
    { name: 'Cluster-IP', type: 'string', priority: 0, cell: (o) => str(o, 'spec.clusterIP') },
    { name: 'External-IP', type: 'string', priority: 0, cell: () => '<none>' },
    { name: 'Port(s)', type: 'string', priority: 0, cell: servicePorts },
    AGE,
    { name: 'Selector', type: 'string', priority: 1, cell: (o) => Object.entries((at(o, 'spec.selector') as Record<string, string> | undefined) ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>' },
  ],
  'apps/deployments': [
    NAME,
    { name: 'Ready', type: 'string', priority: 0, cell: (o) => `${Number(at(o, 'status.readyReplicas') ?? 0)}/${Number(at(o, 'spec.replicas') ?? 1)}` },
    { name: 'Up-to-date', type: 'integer', priority: 0, cell: (o) => Number(at(o, 'status.updatedReplicas') ?? 0) },
    { name: 'Available', type: 'integer', priority: 0, cell: (o) => Number(at(o, 'status.availableReplicas') ?? 0) },
    AGE,
  ],
  '/nodes': [
    NAME,
    { name: 'Status', type: 'string', priority: 0, cell: nodeReady },
    { name: 'Roles', type: 'string', priority: 0, cell: () => '<none>' },
    AGE,
    { name: 'Version', type: 'string', priority: 0, cell: (o) => str(o, 'status.nodeInfo.kubeletVersion', '') },
  ],
  '/configmaps': [NAME, { name: 'Data', type: 'integer', priority: 0, cell: (o) => count(o['data']) + count(o['binaryData']) }, AGE],
  '/secrets': [NAME, { name: 'Type', type: 'string', priority: 0, cell: (o) => str(o, 'type', 'Opaque') }, { name: 'Data', type: 'integer', priority: 0, cell: (o) => count(o['data']) }, AGE],
};

function columnsOf(type: ResourceType): Column[] {
  return COLUMNS[`${type.group}/${type.resource}`] ?? [NAME, AGE];
}

/**
 * A `meta.k8s.io/v1` Table of objects, what `kubectl get` asks for; rows carry the object's metadata
 * (`includeObject=Metadata`, the default) or the whole object (`Object`).
 */
export function toTable(type: ResourceType, objects: readonly KubeObject[], listMeta: Record<string, unknown>, includeObject: string | null, now = Date.now()): Record<string, unknown> {
  const cols = columnsOf(type);
  const rows = objects.map((o) => {
    const row: Record<string, unknown> = { cells: cols.map((c) => c.cell(o, now)) };
    if (includeObject === 'Object') row['object'] = o;
    else if (includeObject !== 'None') row['object'] = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: cols.map((c) => ({ name: c.name, type: c.type, format: c === NAME ? 'name' : '', description: '', priority: c.priority })),
    rows,
  };
}
