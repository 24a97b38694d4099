// ztunnel as a process: config from the environment, SIGTERM/SIGINT (and /quitquitquit) drain, exit 0.
import { ensureHeapFlags } from './heap-flags.ts';

// First, before the rest of ztunnel is loaded: the heap flags (re-executes this process when they are missing).
ensureHeapFlags();
const { errorMessage } = await import('@mesh/common/errors');
const { onSignals } = await import('@mesh/common/lifecycle');
const { startZtunnel } = await import('./app.ts');
const { loadConfig } = await import('./config.ts');

let config;
try {
  config = loadConfig().config;
} catch (err) {
  process.stderr.write(`ztunnel: invalid configuration: ${errorMessage(err)}\n`);
  process.exit(2);
}
try {
  const zt = await startZtunnel(config);
  const finish = async () => {
    await zt.close();
    await zt.log.flush();
    process.exit(0);
  };
  onSignals(zt.drain, { onDrained: () => void finish() });
  // /quitquitquit starts the drain without a signal: exit once it is done.
  zt.drain.signal.addEventListener('abort', () => void finish(), { once: true });
} catch (err) {
  process.stderr.write(`ztunnel: failed to start: ${errorMessage(err)}\n`);
  process.exit(1);
}
