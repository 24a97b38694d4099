// The istio-cni plugin executable (run by the container runtime through the shim the installer writes).
// Reads the config from stdin, the command from CNI_* env, prints the result or a CNI error object.
import { postCmdAdd } from './agent-client.ts';
import { runPlugin } from './plugin.ts';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const out = await runPlugin(process.env, await readStdin(), { postCmdAdd });
process.stdout.write(out.stdout, () => process.exit(out.exitCode));
