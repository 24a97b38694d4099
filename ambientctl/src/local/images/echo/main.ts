// The `ambient/echo` app of the local cluster. Server mode (default) answers on every configured port;
// `main.ts client <url> …` is the client mode (see client-args.ts). Runs on Node 24: `npx node main.ts`.
import { hostname } from 'node:os';
import { errorMessage } from '@mesh/common/errors';
import { Drain, onSignals } from '@mesh/common/lifecycle';
import { createLogger } from '@mesh/common/log';
import { parseClientArgs } from './client-args.ts';
import { runClient } from './client.ts';
import { echoServerConfig } from './config.ts';
import { EchoServer } from './echo-server.ts';

/** How long open connections get to finish after SIGTERM. */
const DRAIN_DEADLINE_MS = 5_000;

async function serve(args: readonly string[]): Promise<void> {
  const config = echoServerConfig(args, process.env, hostname());
  const logs = createLogger({ level: config.logLevel, format: config.logFormat });
  const log = logs.scope('echo');
  const server = await EchoServer.start(config);
  for (const p of server.ports) log.info({ name: p.port.name, kind: p.port.kind, port: p.boundPort }, 'listening');
  const drain = new Drain({ deadlineMs: DRAIN_DEADLINE_MS });
  server.registerWith(drain);
  onSignals(drain, {
    onDrained: (result) => {
      log.info({ reason: result.reason, forced: result.forced.join(',') }, 'stopped');
      void logs.flush().then(() => process.exit(0));
    },
  });
}

async function main(argv: readonly string[]): Promise<void> {
  try {
    if (argv[0] === 'client') {
      const options = parseClientArgs(argv.slice(1));
      process.exitCode = await runClient(options, { out: (l) => console.log(l), err: (l) => console.error(l) });
    } else {
      await serve(argv);
    }
  } catch (err) {
    console.error(`echo: ${errorMessage(err)}`);
    process.exitCode = 2;
  }
}

await main(process.argv.slice(2));
