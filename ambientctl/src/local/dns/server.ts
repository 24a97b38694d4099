// The cluster DNS server process (run inside the control-plane netns by the daemon): UDP, answers from a
// records file the daemon rewrites (atomic rename) whenever Services or EndpointSlices change.
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { readFileSync, watchFile, unwatchFile } from 'node:fs';
import { CLUSTER_DOMAIN } from '../cluster/layout.ts';
import { answer, buildAnswer, parseQuery, RCODE_FORMERR } from './wire.ts';

export interface DnsServer {
  readonly port: number;
  close(): Promise<void>;
}

function load(path: string, keep: Record<string, string[]>): Record<string, string[]> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, string[]>;
  } catch {
    return keep; // Missing or half-written: keep the last good records.
  }
}

export async function startDnsServer(opts: { host: string; port: number; recordsPath: string }): Promise<DnsServer> {
  let records = load(opts.recordsPath, {});
  const reload = (): void => {
    records = load(opts.recordsPath, records);
  };
  watchFile(opts.recordsPath, { interval: 200 }, reload);
  const sock: Socket = createSocket({ type: 'udp4' });
  sock.on('message', (msg, rinfo) => {
    const q = parseQuery(msg);
    if (!q) {
      if (msg.length >= 12) sock.send(buildAnswer({ id: msg.readUInt16BE(0), flags: 0, name: '', type: 0, cls: 0, raw: Buffer.alloc(0) }, RCODE_FORMERR, []), rinfo.port, rinfo.address);
      return;
    }
    sock.send(answer(q, records, CLUSTER_DOMAIN), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(opts.port, opts.host, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  return {
    port: sock.address().port,
    close: () =>
      new Promise<void>((resolve) => {
        unwatchFile(opts.recordsPath, reload);
        sock.close(() => resolve());
      }),
  };
}
