// The `text` log format: one logfmt-like line per record, like ztunnel's default output:
//   2024-05-02T19:20:45.096Z<TAB>info<TAB>access<TAB>connection complete<TAB>src.addr=10.0.0.1:4000 duration=3ms
// pino always produces JSON, so a tiny destination re-renders each JSON line. It runs in-thread (no worker
// transport) and writes to an async destination, so it never blocks on the terminal or pipe.
import type { DestinationStream } from 'pino';

type FlushableStream = DestinationStream & { flush?: (cb: (err?: Error) => void) => void };

/** Keys that form the fixed columns rather than key=value pairs. */
const HEADER_KEYS = new Set(['time', 'level', 'scope', 'msg']);
const NEEDS_QUOTES = /[\s"=\\]|^$/;

function formatValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') {
    // pino's error serializer output: the message is what a reader of a text log wants.
    text = (value as { message: string }).message;
  } else text = JSON.stringify(value) ?? String(value);
  return NEEDS_QUOTES.test(text) ? JSON.stringify(text) : text;
}

/** Renders one pino JSON record (already parsed) as a single text line, without the trailing newline. */
export function formatTextLine(record: Readonly<Record<string, unknown>>): string {
  const head = [
    String(record.time ?? ''),
    String(record.level ?? ''),
    String(record.scope ?? 'default'),
    // JSON.stringify escapes newlines so one record stays one line; the outer quotes are dropped.
    JSON.stringify(String(record.msg ?? '')).slice(1, -1),
  ];
  const fields: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (HEADER_KEYS.has(key) || value === undefined) continue;
    fields.push(`${key}=${formatValue(value)}`);
  }
  return fields.length === 0 ? head.join('\t') : `${head.join('\t')}\t${fields.join(' ')}`;
}

/** Wraps `dest` so that pino's JSON lines are written as text lines. */
export function textDestination(dest: DestinationStream): DestinationStream {
  const inner = dest as FlushableStream;
  const out: FlushableStream = {
    // pino's flush() looks for this; forward it so buffered text reaches the real destination.
    flush(cb: (err?: Error) => void): void {
      if (typeof inner.flush === 'function') inner.flush(cb);
      else cb();
    },
    write(chunk: string): void {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(chunk) as Record<string, unknown>;
      } catch {
        dest.write(chunk); // not ours to reformat; pass it through rather than lose it
        return;
      }
      dest.write(`${formatTextLine(record)}\n`);
    },
  };
  return out;
}
