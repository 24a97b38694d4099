import { Command, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { startApiServer, DEFAULT_PORT } from '../local/apiserver/index.ts';
import { addClusterCommands } from './local-cluster.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a TCP port (0-65535)`);
  return n;
}

/** Options of `ambientctl local apiserver`. */
interface ApiServerFlags {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly persist: boolean;
  readonly san: string[];
  readonly verbose: boolean;
}

/** Runs the API server in the foreground until SIGTERM or SIGINT, then closes it cleanly. */
async function runApiServer(flags: ApiServerFlags): Promise<void> {
  const dataDir = resolve(flags.dataDir);
  const server = await startApiServer({
    port: flags.port,
    host: flags.host,
    dataDir,
    persist: flags.persist,
    extraSans: flags.san,
    ...(flags.verbose ? { log: (line: string) => console.log(line) } : {}),
  });
  console.log(`local apiserver serving on ${server.url}`);
  console.log(`kubeconfig: ${server.kubeconfigPath}`);
  await new Promise<void>((done) => {
    const stop = (signal: string): void => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      console.log(`local apiserver: ${signal}, shutting down`);
      server.close().then(done, (err: unknown) => {
        console.error(`local apiserver: error while closing: ${err instanceof Error ? err.message : String(err)}`);
        done();
      });
    };
    const onTerm = (): void => stop('SIGTERM');
    const onInt = (): void => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
}

/** `ambientctl local …`: the local cluster. `apiserver` runs its Kubernetes API server on its own. */
export function localCommand(): Command {
  const local = new Command('local').description('Run a local cluster on this machine (no Kubernetes needed)');
  local
    .command('apiserver')
    .description('Run the local Kubernetes API server in the foreground and write <data-dir>/kubeconfig')
    .option('--port <port>', 'HTTPS port to listen on (0 picks a free one)', port, DEFAULT_PORT)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .requiredOption('--data-dir <dir>', 'directory for the kubeconfig, CA and keys (created if missing)')
    .option('--persist', 'also keep objects in <data-dir>/objects.json across restarts', false)
    .option('--san <name>', 'extra DNS name or IP for the serving certificate (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('-v, --verbose', 'log every request', false)
    .action((flags: ApiServerFlags) => runApiServer(flags));
  addClusterCommands(local);
  return local;
}
