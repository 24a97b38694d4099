// `ambientctl local up|down|status|exec|logs|restart|stop|start|daemon|dns-server`: the local cluster's subcommands.
import type { Command} from 'commander';
import { InvalidArgumentError } from 'commander';
import { DEFAULT_DATA_DIR, MAX_NODES } from '../local/cluster/layout.ts';
import { downCluster, upCluster } from '../local/cli/up-down.ts';
import { controlComponent, execInPod, showLogs, showStatus } from '../local/cli/inspect.ts';
import { runDaemon } from '../local/daemon/daemon.ts';
import { runDnsServer } from '../local/dns/main.ts';

function nodeCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_NODES) throw new InvalidArgumentError(`"${value}" is not a node count (1-${MAX_NODES})`);
  return n;
}

function bool(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError(`"${value}" is not true or false`);
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number of seconds`);
  return n;
}

const dataDirFlag = ['--data-dir <dir>', 'the cluster\'s data directory', DEFAULT_DATA_DIR] as const;

/** Adds the cluster subcommands to `ambientctl local`. */
export function addClusterCommands(local: Command): void {
  local
    .command('up')
    .description('Start a local cluster (API server, nodes, DNS, istiod, ztunnel and node agent per node) and wait until ready')
    .option(...dataDirFlag)
    .option('--nodes <n>', 'number of nodes', nodeCount, 2)
    .option('--mesh <bool>', 'also start the mesh components (istiod, ztunnels, node agents)', bool, true)
    .option('--timeout <seconds>', 'how long to wait for readiness', seconds, 180)
    .action((f: { dataDir: string; nodes: number; mesh: boolean; timeout: number }) => upCluster(f));
  local
    .command('down')
    .description('Stop the local cluster and remove everything it created (also after a crash)')
    .option(...dataDirFlag)
    .action((f: { dataDir: string }) => downCluster(f.dataDir));
  local
    .command('status')
    .description('Components, addresses and health of the local cluster')
    .option(...dataDirFlag)
    .option('-o, --output <format>', 'text or json', 'text')
    .action((f: { dataDir: string; output: string }) => showStatus(f.dataDir, f.output));
  local
    .command('exec')
    .description('Run a command inside a pod\'s network namespace: exec <ns>/<pod> -- <cmd…>')
    .option(...dataDirFlag)
    .argument('<pod>', '<namespace>/<name> (or <name> in default)')
    .argument('<command...>', 'command and arguments')
    .action((pod: string, command: string[], f: { dataDir: string }) => execInPod(f.dataDir, pod, command));
  local
    .command('logs')
    .description('Print the log of a component (istiod, ztunnel/node-1, cni/node-1, dns, daemon) or a pod (<ns>/<pod>)')
    .option(...dataDirFlag)
    .option('-c, --container <name>', 'only this container of the pod')
    .argument('<target>')
    .action((target: string, f: { dataDir: string; container?: string }) => showLogs(f.dataDir, target, f.container));
  local
    .command('restart')
    .description('Restart a component of the running cluster (istiod, ztunnel/node-1, cni/node-1, dns)')
    .option(...dataDirFlag)
    .argument('<component>')
    .action((component: string, f: { dataDir: string }) => controlComponent(f.dataDir, 'restart', component));
  local
    .command('stop')
    .description('Stop a component until `start` (it is not restarted meanwhile), e.g. to see the mesh without istiod')
    .option(...dataDirFlag)
    .argument('<component>')
    .action((component: string, f: { dataDir: string }) => controlComponent(f.dataDir, 'stop', component));
  local
    .command('start')
    .description('Start a component that `stop` took down')
    .option(...dataDirFlag)
    .argument('<component>')
    .action((component: string, f: { dataDir: string }) => controlComponent(f.dataDir, 'start', component));
  local
    .command('daemon', { hidden: true })
    .description('Run the local cluster in the foreground (what `up` starts in the background)')
    .option(...dataDirFlag)
    .option('--nodes <n>', 'number of nodes', nodeCount, 2)
    .option('--mesh <bool>', 'start the mesh components', bool, true)
    .action(async (f: { dataDir: string; nodes: number; mesh: boolean }) => {
      await runDaemon(f);
      // Everything is stopped; lingering handles (agents, log destinations) must not hold the process.
      process.exit(0);
    });
  local
    .command('dns-server', { hidden: true })
    .description('The cluster DNS server (run by the daemon in the control-plane netns)')
    .requiredOption('--records <file>', 'records file written by the daemon')
    .option('--listen <host:port>', 'UDP address', '10.200.0.1:53')
    .action(async (f: { records: string; listen: string }) => {
      await runDnsServer(f.records, f.listen);
      process.exit(0);
    });
}
