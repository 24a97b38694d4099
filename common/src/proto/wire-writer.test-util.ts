/**
 * A minimal protobuf wire writer for tests: an oracle for "known bytes" that shares no code with protobufjs.
 * Fields are written in the order given, which for canonical encoders is field-number order.
 */
export type Part = Buffer;

export function varint(value: number | bigint): Buffer {
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n; // two's complement, as protobuf encodes negative int32/int64
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return Buffer.from(out);
}

function key(field: number, wireType: number): Buffer {
  return varint((field << 3) | wireType);
}

/** A varint field (wire type 0): integers, enums, bools. */
export function vint(field: number, value: number | bigint | boolean): Buffer {
  return Buffer.concat([key(field, 0), varint(typeof value === 'boolean' ? (value ? 1 : 0) : value)]);
}

/** A length-delimited field (wire type 2) holding raw bytes. */
export function bytes(field: number, value: Uint8Array): Buffer {
  return Buffer.concat([key(field, 2), varint(value.length), value]);
}

export function str(field: number, value: string): Buffer {
  return bytes(field, Buffer.from(value, 'utf8'));
}

/** An embedded message field built from its own parts. */
export function msg(field: number, ...parts: Part[]): Buffer {
  return bytes(field, Buffer.concat(parts));
}

/** A packed repeated varint field. */
export function packed(field: number, values: number[]): Buffer {
  return bytes(field, Buffer.concat(values.map((v) => varint(v))));
}

export function cat(...parts: Part[]): Buffer {
  return Buffer.concat(parts);
}
