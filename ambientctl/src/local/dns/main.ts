// Composition root of the cluster DNS process (`ambientctl local dns-server`).
import { LocalError } from '../cluster/run.ts';
import { startDnsServer } from './server.ts';

export async function runDnsServer(records: string, listen: string): Promise<void> {
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(listen);
  if (!m) throw new LocalError('ERR_LOCAL_BAD_INPUT', `--listen "${listen}" is not <ipv4>:<port>`);
  const server = await startDnsServer({ host: m[1] ?? '', port: Number(m[2]), recordsPath: records });
  console.log(`cluster DNS serving on ${m[1]}:${server.port}/udp from ${records}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      void server.close().then(resolve);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
