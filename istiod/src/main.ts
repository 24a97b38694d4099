// istiod's process: read the config, start, and drain on SIGTERM/SIGINT.
import { KubeConfig } from '@kubernetes/client-node';
import { errorMessage } from '@mesh/common/errors';
import { Drain, onSignals } from '@mesh/common/lifecycle';
import { createLogger } from '@mesh/common/log';
import { loadConfig } from './config.ts';
import { startIstiod } from './istiod.ts';

const DRAIN_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  const { config, entries } = loadConfig(process.env);
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  const logger = log.scope('istiod');
  const kc = new KubeConfig();
  kc.loadFromDefault(); // KUBECONFIG, ~/.kube/config, or the in-cluster service account
  const istiod = await startIstiod(config, { kc, log, configEntries: entries });
  const drain = new Drain({ deadlineMs: DRAIN_DEADLINE_MS });
  drain.register('istiod', { graceful: () => istiod.close(), force: () => process.exit(0) });
  onSignals(drain, {
    onDrained: (result) => {
      logger.info({ reason: result.reason, forced: result.forced }, 'istiod stopped');
      process.exit(0);
    },
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`istiod: ${errorMessage(err)}\n`);
  process.exit(1);
});
