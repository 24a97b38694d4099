// Starts the BENCH-ONLY HBONE pair (hbone-pair-proxy.ts, two processes): the stand-in used while
// ztunnel/src/main.ts cannot run outside a pod netns. Labelled as such in the output.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchPki } from './certs.ts';
import { firstJsonLine, loopbackDial, startChild } from './procs.ts';
import type { ProxyPair } from './procs.ts';

const PROXY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'hbone-pair-proxy.ts');

export async function startHbonePair(pki: BenchPki, appPort: number): Promise<ProxyPair> {
  const common = { ROOT_FILE: pki.rootFile, LOG_LEVEL: 'warn' };
  const server = startChild('hbone-server', process.execPath, [PROXY], {
    env: { ...process.env, ...common, ROLE: 'server', CERT_FILE: pki.server.certFile, KEY_FILE: pki.server.keyFile },
  });
  const pair: ProxyPair = { label: 'hbone-pair (bench-only, not ztunnel/src/main.ts)', dial: loopbackDial(0), children: [server], stop: async () => {
    await Promise.all(pair.children.map((c) => c.stop()));
  } };
  try {
    const { port: serverPort } = await firstJsonLine<{ port: number }>(server);
    const client = startChild('hbone-client', process.execPath, [PROXY], {
      env: {
        ...process.env,
        ...common,
        ROLE: 'client',
        CERT_FILE: pki.client.certFile,
        KEY_FILE: pki.client.keyFile,
        PEER_PORT: String(serverPort),
        AUTHORITY: `127.0.0.1:${appPort}`,
        EXPECTED_ID: pki.server.id,
      },
    });
    pair.children.unshift(client);
    const { port } = await firstJsonLine<{ port: number }>(client);
    pair.dial = loopbackDial(port);
  } catch (err) {
    await pair.stop();
    throw err;
  }
  return pair;
}
