import { invalidPolicy } from './authz-error.ts';
import { parseIpBlock } from './ip.ts';
import { describe, ObjectReader } from './object-reader.ts';

/** A Kubernetes object as parsed from YAML or returned by the API client; checked field by field on use. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly creationTimestamp?: string | Date;
  };
  readonly spec?: unknown;
}

/** The metadata the converters need. A missing namespace is the empty namespace (as the upstream tests feed it). */
export interface KubeMeta {
  readonly name: string;
  readonly namespace: string;
  readonly annotations: Readonly<Record<string, string>>;
  /** Milliseconds since the epoch, or null when unknown (then file order decides "oldest"). */
  readonly createdAt: number | null;
}

const API_GROUP = 'security.istio.io/';

/** Checks kind/apiVersion/metadata and returns the metadata plus a reader over `spec` and a label for messages. */
export function readKubeObject(obj: unknown, kind: string): { meta: KubeMeta; spec: ObjectReader; where: string } {
  const top = new ObjectReader(kind, '', obj);
  const metaReader = top.object('metadata') ?? invalidPolicy(kind, 'metadata is required');
  const name = metaReader.string('name');
  if (!name) invalidPolicy(kind, 'metadata.name is required');
  const namespace = metaReader.string('namespace') ?? '';
  const where = namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
  const located = new ObjectReader(where, '', obj);
  const gotKind = located.string('kind');
  if (gotKind !== undefined && gotKind !== kind) invalidPolicy(where, `kind must be ${kind}, got ${gotKind}`);
  const apiVersion = located.string('apiVersion');
  if (apiVersion !== undefined && !apiVersion.startsWith(API_GROUP)) {
    invalidPolicy(where, `apiVersion must be ${API_GROUP}v1 or v1beta1, got ${apiVersion}`);
  }
  const annotations: Record<string, string> = {};
  const annReader = new ObjectReader(where, 'metadata', metaReader.value).object('annotations');
  for (const key of Object.keys(annReader?.value ?? {})) {
    const v = annReader?.string(key);
    if (v !== undefined) annotations[key] = v;
  }
  const spec = located.object('spec') ?? new ObjectReader(where, 'spec', {});
  return { meta: { name, namespace, annotations, createdAt: readTimestamp(where, metaReader.value.creationTimestamp) }, spec, where };
}

function readTimestamp(where: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  const ms = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) invalidPolicy(where, `metadata.creationTimestamp must be an RFC 3339 time, got ${describe(v)}`);
  return ms;
}

/**
 * Parses port strings the way istiod keeps them (decimal 0-65535). istiod silently skips a bad one; we refuse
 * it, because the API server's validation would have refused the object anyway.
 */
export function readPorts(reader: ObjectReader, key: string): number[] {
  return reader.strings(key, true).map((p, i) => {
    if (!/^[0-9]{1,5}$/.test(p) || Number(p) > 65535) {
      invalidPolicy(reader.where, `${reader.field(key)}[${i}] must be a port number 0-65535, got ${JSON.stringify(p)}`);
    }
    return Number(p);
  });
}

/** Checks every entry is an IP address or CIDR; returns the strings unchanged. */
export function readIpBlocks(reader: ObjectReader, key: string): string[] {
  const values = reader.strings(key);
  values.forEach((v, i) => {
    if (!parseIpBlock(v)) {
      invalidPolicy(reader.where, `${reader.field(key)}[${i}] must be an IP address or CIDR, got ${JSON.stringify(v)}`);
    }
  });
  return values;
}
