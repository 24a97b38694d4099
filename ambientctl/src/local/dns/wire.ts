// Just enough of the DNS wire format (RFC 1035) for a cluster DNS: parse one question, build an answer.
export const TYPE_A = 1;
export const TYPE_AAAA = 28;
export const RCODE_NOERROR = 0;
export const RCODE_FORMERR = 1;
export const RCODE_NXDOMAIN = 3;
export const RCODE_REFUSED = 5;

export interface Question {
  readonly id: number;
  readonly flags: number;
  readonly name: string;
  readonly type: number;
  readonly cls: number;
  /** The question section's raw bytes (echoed in the answer). */
  readonly raw: Buffer;
}

/** Parses the header and first question; undefined for anything malformed. */
export function parseQuery(msg: Buffer): Question | undefined {
  if (msg.length < 12) return undefined;
  const qd = msg.readUInt16BE(4);
  if (qd < 1) return undefined;
  const labels: string[] = [];
  let off = 12;
  for (;;) {
    if (off >= msg.length) return undefined;
    const len = msg[off] ?? 0;
    if (len === 0) {
      off++;
      break;
    }
    if (len > 63 || off + 1 + len > msg.length) return undefined; // No compression in questions we accept.
    labels.push(msg.subarray(off + 1, off + 1 + len).toString('latin1'));
    off += 1 + len;
  }
  if (off + 4 > msg.length) return undefined;
  return { id: msg.readUInt16BE(0), flags: msg.readUInt16BE(2), name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(off), cls: msg.readUInt16BE(off + 2), raw: msg.subarray(12, off + 4) };
}

/** A response to `q` with A answers (pointer to the question name), authoritative, recursion available. */
export function buildAnswer(q: Question, rcode: number, ipv4: readonly string[], ttl = 5): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  const rd = q.flags & 0x0100;
  header.writeUInt16BE(0x8000 | 0x0400 | rd | 0x0080 | (rcode & 0xf), 2);
  header.writeUInt16BE(q.raw.length ? 1 : 0, 4);
  header.writeUInt16BE(ipv4.length, 6);
  const answers = ipv4.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // name: pointer to offset 12
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(ttl, 6);
    rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((o, i) => rr.writeUInt8(Number(o), 12 + i));
    return rr;
  });
  return Buffer.concat([header, q.raw, ...answers]);
}

/** The answer for a question given the records; names outside the zone are refused (no upstream). */
export function answer(q: Question, records: Record<string, string[]>, zone: string): Buffer {
  const known = records[q.name];
  if (known !== undefined) return buildAnswer(q, RCODE_NOERROR, q.type === TYPE_A ? known : []);
  const inZone = q.name === zone || q.name.endsWith(`.${zone}`) || q.name.split('.').length === 2;
  return buildAnswer(q, inZone ? RCODE_NXDOMAIN : RCODE_REFUSED, []);
}
