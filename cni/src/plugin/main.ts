// The istio-cni plugin executable (run by the container runtime through the shim the installer writes).
// Reads the config from stdin, the command from CNI_* env, prints the result or a CNI error object.
// Only ADD talks to the agent, so its HTTP client is imported on demand (the runtime waits on every call).
import { runPlugin } from './plugin.ts';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const out = await runPlugin(process.env, await readStdin(), {
  postCmdAdd: async (runDir, event) => (await import('./agent-client.ts')).postCmdAdd(runDir, event),
});
process.stdout.write(out.stdout, () => process.exit(out.exitCode));
