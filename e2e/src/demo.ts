// The demo that `npm start` runs: a two-node local cluster, an ambient namespace, an echo server on node-2 and a
// client on node-1, traffic carried by the ztunnels over HBONE with mutual TLS, then a DENY policy that blocks it,
// and a summary of what happened with the commands to explore further and to tear down.
import { ambientctl, LocalCluster } from './local-cluster.ts';
import { clientYaml, denyClientYaml, echoYaml, namespaceYaml } from './scenario.ts';
import { curlFails, curlFrom, curlSucceeds, podReady, podsReady, redirection } from './mesh-checks.ts';
import { ztunnelMetrics, sumMetric } from './ztunnel-metrics.ts';

const DATA_DIR = process.env['AMBIENT_DEMO_DIR'] ?? '/var/lib/ambientctl/demo';
const NS = 'demo';
const REQUESTS = 10;
const URL = `http://echo.${NS}.svc.cluster.local/`;

function say(text: string): void {
  console.log(`demo: ${text}`);
}

async function main(): Promise<number> {
  say(`starting a two-node local cluster in ${DATA_DIR} (a previous demo cluster there is removed first)`);
  await ambientctl(['local', 'down', '--data-dir', DATA_DIR], { timeoutMs: 120_000 });
  const cluster = await LocalCluster.up({ nodes: 2, dataDir: DATA_DIR, inherit: true, timeoutMs: 300_000 });

  say(`creating namespace ${NS} with istio.io/dataplane-mode=ambient, echo on node-2, client on node-1`);
  await cluster.apply(namespaceYaml(NS, true));
  await cluster.apply(echoYaml(NS, 'node-2'));
  await cluster.apply(clientYaml(NS, 'node-1'));
  const [echo] = await podsReady(cluster, NS, 'app=echo', 1);
  const client = await podReady(cluster, NS, 'client');
  const echoName = echo?.metadata?.name ?? '';
  await redirection(cluster, NS, 'client', true);
  await redirection(cluster, NS, echoName, true);
  say(`pods enrolled: client ${client.status?.podIP} (node-1), ${echoName} ${echo?.status?.podIP} (node-2)`);

  await curlSucceeds(cluster, `${NS}/client`, URL, 90_000);
  let ok = 0;
  const seenIps = new Set<string>();
  for (let i = 0; i < REQUESTS; i++) {
    const r = await curlFrom(cluster, `${NS}/client`, URL);
    if (r.ok) ok++;
    const ip = r.lines.get('IP');
    if (ip) seenIps.add(ip);
  }
  say(`${ok}/${REQUESTS} requests from client to ${URL} answered; the server saw client address(es) ${[...seenIps].join(', ')}`);

  const metrics = await ztunnelMetrics(cluster, 'node-2');
  const mtls = sumMetric(metrics, 'istio_tcp_connections_opened_total', { reporter: 'destination', connection_security_policy: 'mutual_tls', destination_workload_namespace: NS });
  const principals = [...new Set([...metrics.matchAll(/istio_tcp_connections_opened_total\{[^}]*source_principal="([^"]+)"/g)].map((m) => m[1]))];
  say(`node-2's ztunnel counted ${mtls} inbound mTLS connection(s); identities seen: ${principals.join(', ') || 'none'}`);

  say('applying AuthorizationPolicy deny-client (DENY from cluster.local/ns/demo/sa/client)');
  await cluster.apply(denyClientYaml(NS, NS));
  const why = await curlFails(cluster, `${NS}/client`, URL, 60_000);
  let denied = 0;
  for (let i = 0; i < REQUESTS; i++) if (!(await curlFrom(cluster, `${NS}/client`, URL)).ok) denied++;
  say(`${denied}/${REQUESTS} requests refused after the policy (curl: ${why.split('\n')[0]})`);

  const dd = `--data-dir ${DATA_DIR}`;
  console.log(`
Summary
  requests before the policy: ${ok}/${REQUESTS} answered, client IP preserved: ${seenIps.has(client.status?.podIP ?? '?') ? 'yes' : 'no'}
  mutual TLS (HBONE, port 15008) between node-1 and node-2: ${mtls > 0 ? 'yes' : 'no'} (${mtls} connection(s))
  identities: ${principals.join(', ') || 'none'}
  requests after the DENY policy: ${denied}/${REQUESTS} refused

Explore
  export KUBECONFIG=${DATA_DIR}/kubeconfig
  kubectl get pods -A -o wide
  npx ambientctl local status ${dd}
  npx ambientctl local exec ${dd} ${NS}/client -- curl -s ${URL}
  npx ambientctl local logs ${dd} ztunnel/node-2
  kubectl -n ${NS} delete authorizationpolicy deny-client
Tear down
  npx ambientctl local down ${dd}
`);
  return ok === REQUESTS && mtls > 0 && denied === REQUESTS ? 0 : 1;
}

process.exitCode = await main().catch((err: unknown) => {
  console.error(`demo: failed: ${err instanceof Error ? err.message : String(err)}`);
  console.error(`demo: inspect with \`npx ambientctl local status --data-dir ${DATA_DIR}\`, remove with \`npx ambientctl local down --data-dir ${DATA_DIR}\``);
  return 1;
});
