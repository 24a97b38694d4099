// istiod's HTTP port (15014): /ready, /metrics, /debug/syncz and /debug/config_dump, on the shared admin server.
// No /logging or /quitquitquit: this port listens on every interface, and those change the process.
import { AdminServer, configDumpHandler, jsonResponse } from '@mesh/common/admin';
import type { ConfigDump } from '@mesh/common/admin';
import type { Address } from '@mesh/common/config';
import type { Readiness } from '@mesh/common/lifecycle';
import type { MetricsRegistry } from '@mesh/common/metrics';
import type { SynczEntry } from './syncz.ts';

export interface DebugServerInputs {
  readonly addr: Address;
  readonly readiness: Readiness;
  readonly metrics: MetricsRegistry;
  readonly configDump: ConfigDump;
  readonly syncz: () => SynczEntry[];
}

export async function bindDebugServer(inputs: DebugServerInputs): Promise<AdminServer> {
  const server = await AdminServer.bind({
    host: inputs.addr.host,
    port: inputs.addr.port,
    readiness: inputs.readiness,
    metrics: inputs.metrics,
  });
  server.register('/debug/syncz', () => jsonResponse(200, inputs.syncz()));
  server.register('/debug/config_dump', configDumpHandler(inputs.configDump));
  return server;
}
