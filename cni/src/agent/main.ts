// The cni node agent process: config from env, logging, startNodeAgent, graceful stop on SIGTERM/SIGINT.
import { errorMessage } from '@mesh/common/errors';
import { Drain, onSignals } from '@mesh/common/lifecycle';
import { createLogger } from '@mesh/common/log';
import { loadAgentConfig } from './config.ts';
import { startNodeAgent } from './node-agent.ts';

let built;
try {
  built = loadAgentConfig(process.env);
} catch (err) {
  process.stderr.write(`cni node agent: ${errorMessage(err)}\n`);
  process.exit(2);
}
const { config } = built;
const logRoot = createLogger({ level: config.logLevel, format: config.logFormat });
const log = logRoot.logger;

let agent;
try {
  agent = await startNodeAgent(config, { log });
} catch (err) {
  log.fatal({ err: errorMessage(err) }, 'node agent failed to start');
  await logRoot.flush();
  process.exit(1);
}
const running = agent;
const drain = new Drain({ deadlineMs: 10_000 });
drain.register('node agent', { graceful: () => running.close(), force: () => undefined });
onSignals(drain, {
  onDrained: (result) => {
    log.info({ reason: result.reason, forced: result.forced }, 'node agent stopped');
    void logRoot.flush().then(() => process.exit(0));
  },
});
