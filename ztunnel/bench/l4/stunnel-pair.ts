// The baseline tunnel: two Debian stunnel instances (client and server) doing the same mutual TLS 1.3 hop
// as HBONE (same ciphers and curves, client certificate required and verified against the test CA).
//   generator -> stunnel client (127.0.0.1:clientPort) -> mTLS -> stunnel server -> app
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchPki } from './certs.ts';
import { freePort, loopbackDial, startChild, waitForPort } from './procs.ts';
import type { ProxyPair } from './procs.ts';

const TLS_OPTS = [
  'sslVersionMin = TLSv1.3',
  'sslVersionMax = TLSv1.3',
  'ciphersuites = TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256',
  'curves = P-256:P-384',
  'verifyChain = yes',
  // Like our proxies: no TCP wrappers lookup per connection, Nagle off on both sides.
  'libwrap = no',
  'socket = l:TCP_NODELAY=1',
  'socket = r:TCP_NODELAY=1',
];

export async function startStunnelPair(dir: string, pki: BenchPki, appPort: number): Promise<ProxyPair> {
  const clientPort = await freePort();
  const serverPort = await freePort();
  const global = (name: string) => ['foreground = yes', `pid =`, 'debug = 3', `output = ${path.join(dir, `${name}.log`)}`];
  const serverConf = path.join(dir, 'stunnel-server.conf');
  writeFileSync(
    serverConf,
    [
      ...global('stunnel-server'),
      '[mesh]',
      `accept = 127.0.0.1:${serverPort}`,
      `connect = 127.0.0.1:${appPort}`,
      `cert = ${pki.server.certFile}`,
      `key = ${pki.server.keyFile}`,
      `CAfile = ${pki.rootFile}`,
      'requireCert = yes',
      ...TLS_OPTS,
      '',
    ].join('\n'),
  );
  const clientConf = path.join(dir, 'stunnel-client.conf');
  writeFileSync(
    clientConf,
    [
      ...global('stunnel-client'),
      '[mesh]',
      'client = yes',
      `accept = 127.0.0.1:${clientPort}`,
      `connect = 127.0.0.1:${serverPort}`,
      `cert = ${pki.client.certFile}`,
      `key = ${pki.client.keyFile}`,
      `CAfile = ${pki.rootFile}`,
      ...TLS_OPTS,
      '',
    ].join('\n'),
  );
  const server = startChild('stunnel-server', 'stunnel', [serverConf]);
  const client = startChild('stunnel-client', 'stunnel', [clientConf]);
  const pair: ProxyPair = {
    label: 'stunnel',
    dial: loopbackDial(clientPort),
    children: [client, server],
    stop: async () => {
      await Promise.all([client.stop(), server.stop()]);
    },
  };
  try {
    await waitForPort('127.0.0.1', serverPort, 15_000, server);
    await waitForPort('127.0.0.1', clientPort, 15_000, client);
  } catch (err) {
    await pair.stop();
    throw err;
  }
  return pair;
}
