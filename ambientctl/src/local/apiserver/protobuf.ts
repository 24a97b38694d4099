import { ApiError, badRequest } from './errors.ts';

/** The 4 bytes that start every Kubernetes protobuf body. */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** One field of a protobuf message: varints as bigint-safe numbers, length-delimited as bytes. */
interface Field {
  readonly no: number;
  readonly wire: number;
  readonly num: number;
  readonly bytes: Buffer;
}

function readVarint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw badRequest('protobuf body is truncated (inside a varint)');
    const b = buf[pos++] ?? 0;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return [result, pos];
    mul *= 128;
  }
  throw badRequest('protobuf body has a varint longer than 10 bytes');
}

/** Splits a message into its fields; unknown wire types are rejected with the offset. */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    let key: number;
    [key, pos] = readVarint(buf, pos);
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      let num: number;
      [num, pos] = readVarint(buf, pos);
      out.push({ no, wire, num, bytes: Buffer.alloc(0) });
    } else if (wire === 2) {
      let len: number;
      [len, pos] = readVarint(buf, pos);
      if (pos + len > buf.length) throw badRequest(`protobuf body is truncated (field ${no} wants ${len} bytes)`);
      out.push({ no, wire, num: 0, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      out.push({ no, wire, num: 0, bytes: Buffer.alloc(0) });
    } else {
      throw badRequest(`protobuf body has unsupported wire type ${wire} at byte ${pos}`);
    }
  }
  return out;
}

const str = (f: Field): string => f.bytes.toString('utf8');

function stringMap(fs: Field[], no: number, asBase64 = false): Record<string, string> | undefined {
  const entries = fs.filter((f) => f.no === no && f.wire === 2);
  if (entries.length === 0) return undefined;
  const m: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(e.bytes);
    const k = kv.find((f) => f.no === 1);
    const v = kv.find((f) => f.no === 2);
    m[k ? str(k) : ''] = v ? (asBase64 ? v.bytes.toString('base64') : str(v)) : '';
  }
  return m;
}

function strings(fs: Field[], no: number): string[] | undefined {
  const xs = fs.filter((f) => f.no === no && f.wire === 2).map(str);
  return xs.length > 0 ? xs : undefined;
}

function one(fs: Field[], no: number): Field | undefined {
  return fs.filter((f) => f.no === no).pop();
}

/** Sets `obj[key]` only for non-empty values: protobuf sends unset strings as empty fields. */
function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined || value === '' || value === null) return;
  obj[key] = value;
}

/** ObjectMeta (k8s.io/apimachinery generated.proto), the fields a client can set on create. */
function objectMeta(buf: Buffer): Record<string, unknown> {
  const fs = fields(buf);
  const m: Record<string, unknown> = {};
  const s = (no: number): string | undefined => {
    const f = one(fs, no);
    return f ? str(f) : undefined;
  };
  put(m, 'name', s(1));
  put(m, 'generateName', s(2));
  put(m, 'namespace', s(3));
  put(m, 'resourceVersion', s(6));
  put(m, 'labels', stringMap(fs, 11));
  put(m, 'annotations', stringMap(fs, 12));
  put(m, 'finalizers', strings(fs, 14));
  return m;
}

type Decoder = (fs: Field[]) => Record<string, unknown>;

function text(fs: Field[], no: number): string | undefined {
  const f = one(fs, no);
  return f ? str(f) : undefined;
}

function int(fs: Field[], no: number): number | undefined {
  return one(fs, no)?.num;
}

/** A sub-message's fields, or an empty list when the field is absent. */
function sub(fs: Field[], no: number): Field[] {
  const f = one(fs, no);
  return f ? fields(f.bytes) : [];
}

/** Container: name 1, image 2, command 3, args 4, workingDir 5, ports 6, env 7. */
function container(fs: Field[]): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  put(c, 'name', text(fs, 1));
  put(c, 'image', text(fs, 2));
  put(c, 'command', strings(fs, 3));
  put(c, 'args', strings(fs, 4));
  put(c, 'workingDir', text(fs, 5));
  const ports = fs.filter((f) => f.no === 6).map((f) => {
    const pf = fields(f.bytes);
    const port: Record<string, unknown> = {};
    put(port, 'name', text(pf, 1));
    put(port, 'containerPort', int(pf, 3));
    put(port, 'protocol', text(pf, 4) || 'TCP');
    return port;
  });
  if (ports.length > 0) c['ports'] = ports;
  const env = fs.filter((f) => f.no === 7).map((f) => {
    const ef = fields(f.bytes);
    return { name: text(ef, 1) ?? '', value: text(ef, 2) ?? '' };
  });
  if (env.length > 0) c['env'] = env;
  return c;
}

/** PodTemplateSpec: metadata 1, spec 2 (containers 2, serviceAccountName 8, nodeName 10, hostNetwork 11). */
function podTemplate(fs: Field[]): Record<string, unknown> {
  const spec = sub(fs, 2);
  const podSpec: Record<string, unknown> = { containers: spec.filter((f) => f.no === 2).map((f) => container(fields(f.bytes))) };
  put(podSpec, 'serviceAccountName', text(spec, 8));
  put(podSpec, 'nodeName', text(spec, 10));
  if (int(spec, 11)) podSpec['hostNetwork'] = true;
  const meta = one(fs, 1);
  return { metadata: meta ? objectMeta(meta.bytes) : {}, spec: podSpec };
}

/** Per-kind decoders for the kinds `kubectl create <kind>` and `create token` send as protobuf (the fields those commands set). */
const DECODERS: Record<string, Decoder> = {
  Namespace: (fs) => {
    const out: Record<string, unknown> = {};
    const spec = one(fs, 2);
    if (spec) put(out, 'spec', { ...(strings(fields(spec.bytes), 1) ? { finalizers: strings(fields(spec.bytes), 1) } : {}) });
    return out;
  },
  ConfigMap: (fs) => {
    const out: Record<string, unknown> = {};
    put(out, 'data', stringMap(fs, 2));
    put(out, 'binaryData', stringMap(fs, 3, true));
    const imm = one(fs, 4);
    if (imm) out['immutable'] = imm.num !== 0;
    return out;
  },
  Secret: (fs) => {
    const out: Record<string, unknown> = {};
    put(out, 'data', stringMap(fs, 2, true));
    const t = one(fs, 3);
    put(out, 'type', t ? str(t) : undefined);
    put(out, 'stringData', stringMap(fs, 4));
    return out;
  },
  ServiceAccount: (fs) => {
    const out: Record<string, unknown> = {};
    const auto = one(fs, 4);
    if (auto) out['automountServiceAccountToken'] = auto.num !== 0;
    return out;
  },
  Deployment: (fs) => {
    const spec = sub(fs, 2);
    const out: Record<string, unknown> = {};
    put(out, 'replicas', int(spec, 1));
    out['selector'] = { matchLabels: stringMap(sub(spec, 2), 1) ?? {} };
    out['template'] = podTemplate(sub(spec, 3));
    return { spec: out };
  },
  Service: (fs) => {
    const spec = sub(fs, 2);
    const out: Record<string, unknown> = {};
    const ports = spec.filter((f) => f.no === 1).map((f) => {
      const pf = fields(f.bytes);
      const port: Record<string, unknown> = {};
      put(port, 'name', text(pf, 1));
      put(port, 'protocol', text(pf, 2) || 'TCP');
      put(port, 'port', int(pf, 3));
      // targetPort is an IntOrString: type 0 → intVal (2), type 1 → strVal (3).
      const target = sub(pf, 4);
      if (target.length > 0) port['targetPort'] = int(target, 1) === 1 ? (text(target, 3) ?? '') : (int(target, 2) ?? 0);
      const nodePort = int(pf, 5);
      if (nodePort) port['nodePort'] = nodePort;
      return port;
    });
    if (ports.length > 0) out['ports'] = ports;
    put(out, 'selector', stringMap(spec, 2));
    put(out, 'clusterIP', text(spec, 3));
    put(out, 'type', text(spec, 4));
    return { spec: out };
  },
  TokenRequest: (fs) => {
    const spec = one(fs, 2);
    if (!spec) return { spec: {} };
    const sf = fields(spec.bytes);
    const out: Record<string, unknown> = { audiences: strings(sf, 1) ?? [] };
    const exp = one(sf, 4);
    if (exp) out['expirationSeconds'] = exp.num;
    const ref = one(sf, 3);
    if (ref) {
      const rf = fields(ref.bytes);
      const r: Record<string, unknown> = {};
      const s = (no: number): string | undefined => {
        const f = one(rf, no);
        return f ? str(f) : undefined;
      };
      put(r, 'kind', s(1));
      put(r, 'apiVersion', s(2));
      put(r, 'name', s(3));
      put(r, 'uid', s(4));
      out['boundObjectRef'] = r;
    }
    return { spec: out };
  },
};

/**
 * Decodes a `application/vnd.kubernetes.protobuf` body (the `k8s\0` envelope, then runtime.Unknown with type
 * meta and the object's bytes) into the JSON object it stands for. Only the kinds kubectl sends this way are
 * known; any other kind gets a 415 that names it.
 */
export function decodeKubeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) {
    throw badRequest('protobuf body does not start with the Kubernetes magic bytes "k8s\\0"');
  }
  const unknown = fields(body.subarray(4));
  const typeMeta = one(unknown, 1);
  const tm = typeMeta ? fields(typeMeta.bytes) : [];
  const apiVersionField = one(tm, 1);
  const kindField = one(tm, 2);
  const apiVersion = apiVersionField ? str(apiVersionField) : '';
  const kind = kindField ? str(kindField) : '';
  const decoder = DECODERS[kind];
  if (!decoder) {
    throw new ApiError(415, 'UnsupportedMediaType', `protobuf bodies are supported only for ${Object.keys(DECODERS).join(', ')}; got kind "${kind}"; send JSON instead`);
  }
  const raw = one(unknown, 2);
  const objFields = raw ? fields(raw.bytes) : [];
  const metaField = one(objFields, 1);
  const obj: Record<string, unknown> = { apiVersion, kind, metadata: metaField ? objectMeta(metaField.bytes) : {} };
  return { ...obj, ...decoder(objFields) };
}
