// The objects of the demo and the e2e tests: an ambient namespace, an echo server on one node and a client on
// another, and the policies that allow or deny the client.

/** Namespace, optionally enrolled in the mesh. */
export function namespaceYaml(ns: string, ambient: boolean): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
  labels:
${ambient ? '    istio.io/dataplane-mode: ambient' : '    mesh.test/enrolled: "false"'}
`;
}

/** The echo server: ServiceAccount, Deployment (pinned to `node`) and Service `echo` (port 80 → 8080, tcp 9000). */
export function echoYaml(ns: string, node: string, replicas = 1): string {
  return `apiVersion: v1
kind: ServiceAccount
metadata: { name: echo, namespace: ${ns} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: echo, namespace: ${ns} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: echo } }
  template:
    metadata: { labels: { app: echo, version: v1 } }
    spec:
      serviceAccountName: echo
      nodeSelector: { kubernetes.io/hostname: ${node} }
      containers:
      - name: echo
        image: ambient/echo
        ports:
        - { name: http, containerPort: 8080 }
        - { name: tcp, containerPort: 9000 }
        readinessProbe: { tcpSocket: { port: 8080 } }
---
apiVersion: v1
kind: Service
metadata: { name: echo, namespace: ${ns} }
spec:
  selector: { app: echo }
  ports:
  - { name: http, port: 80, targetPort: 8080 }
  - { name: tcp, port: 9000, targetPort: tcp }
`;
}

/** A client pod (`sleep`, used through `ambientctl local exec … -- curl`) pinned to `node`. */
export function clientYaml(ns: string, node: string, name = 'client'): string {
  return `apiVersion: v1
kind: ServiceAccount
metadata: { name: ${name}, namespace: ${ns} }
---
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${ns}, labels: { app: ${name} } }
spec:
  serviceAccountName: ${name}
  nodeName: ${node}
  containers:
  - name: sleep
    image: curlimages/curl
    command: [sleep, infinity]
`;
}

/** DENY everything from the given source service account to the echo workloads. */
export function denyClientYaml(ns: string, clientNs: string, clientSa = 'client'): string {
  return `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: deny-client, namespace: ${ns} }
spec:
  selector: { matchLabels: { app: echo } }
  action: DENY
  rules:
  - from:
    - source: { principals: ["cluster.local/ns/${clientNs}/sa/${clientSa}"] }
`;
}

/** ALLOW only the given principal to reach the echo workloads. */
export function allowOnlyYaml(ns: string, principal: string): string {
  return `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: allow-only, namespace: ${ns} }
spec:
  selector: { matchLabels: { app: echo } }
  action: ALLOW
  rules:
  - from:
    - source: { principals: ["${principal}"] }
`;
}

/** PeerAuthentication STRICT for a namespace. */
export function strictYaml(ns: string): string {
  return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: strict, namespace: ${ns} }
spec:
  mtls: { mode: STRICT }
`;
}

/** The `Key=value` lines of an echo answer, as a map (first value wins). */
export function parseEcho(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of body.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0 && !out.has(line.slice(0, i))) out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}
