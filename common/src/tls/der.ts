// A minimal DER writer: just the universal types a PKCS#10 request needs. Writing (never parsing) keeps it
// small enough to replace an ASN.1 library in processes that only make CSRs (see csr.ts).

/** Tag numbers of the universal types used here. */
const TAG = {
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  sequence: 0x30,
  set: 0x31,
} as const;

/** The definite length: one byte below 128, else 0x80|n followed by n big-endian length bytes. */
export function derLength(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`DER length must be a non-negative integer, got ${length}`);
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One tag-length-value with the given contents concatenated. */
export function derTlv(tag: number, ...contents: readonly Uint8Array[]): Uint8Array {
  const body = Buffer.concat(contents);
  return Buffer.concat([Uint8Array.of(tag), derLength(body.length), body]);
}

export function derSequence(...items: readonly Uint8Array[]): Uint8Array {
  return derTlv(TAG.sequence, ...items);
}

export function derSet(...items: readonly Uint8Array[]): Uint8Array {
  // DER sorts SET OF elements by their encodings; every SET written here holds one element, so none is needed.
  if (items.length > 1) throw new RangeError('derSet writes at most one element (DER would require sorting)');
  return derTlv(TAG.set, ...items);
}

/** A non-negative INTEGER small enough for a JS number (versions and the like). */
export function derSmallInteger(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`derSmallInteger takes a non-negative integer, got ${value}`);
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  // Minimal two's complement: a leading 0x00 when the top bit is set, and 0 itself is one zero byte.
  if (bytes.length === 0 || (bytes[0] as number) >= 0x80) bytes.unshift(0);
  return derTlv(TAG.integer, Uint8Array.from(bytes));
}

/** OBJECT IDENTIFIER from dotted form, e.g. "1.2.840.10045.4.3.2". */
export function derOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((arc) => (/^(0|[1-9][0-9]*)$/.test(arc) ? Number(arc) : NaN));
  const [first, second] = arcs as [number, number];
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a)) || first > 2 || (first < 2 && second > 39)) {
    throw new RangeError(`not a valid OID: ${JSON.stringify(dotted)}`);
  }
  const out: number[] = [];
  for (const arc of [first * 40 + second, ...arcs.slice(2)]) {
    // Base 128, most significant group first, continuation bit on all but the last byte.
    const groups = [arc % 128];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) groups.unshift((n % 128) | 0x80);
    out.push(...groups);
  }
  return derTlv(TAG.oid, Uint8Array.from(out));
}

export function derOctetString(bytes: Uint8Array): Uint8Array {
  return derTlv(TAG.octetString, bytes);
}

/** BIT STRING of whole bytes (zero unused bits), as signatures and keys are. */
export function derBitString(bytes: Uint8Array): Uint8Array {
  return derTlv(TAG.bitString, Uint8Array.of(0), bytes);
}

/** The contents octets of an IA5String (7-bit ASCII); refuses other text rather than write what parsers reject. */
export function ia5Bytes(text: string): Uint8Array {
  if (!/^[\x00-\x7f]*$/.test(text)) throw new RangeError('IA5String must be ASCII');
  return Buffer.from(text, 'ascii');
}

/** Context-specific tag [n], constructed (EXPLICIT or IMPLICIT of a constructed type). */
export function derContextConstructed(n: number, ...contents: readonly Uint8Array[]): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError(`context tag number must be 0..30, got ${n}`);
  return derTlv(0xa0 | n, ...contents);
}

/** Context-specific tag [n], primitive (IMPLICIT of a primitive type, e.g. a GeneralName URI is [6] IA5String). */
export function derContextPrimitive(n: number, bytes: Uint8Array): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError(`context tag number must be 0..30, got ${n}`);
  return derTlv(0x80 | n, bytes);
}
