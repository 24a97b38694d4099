import { buildProgram } from './program.ts';

/** Runs the CLI with the given argv and returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode;
    if (typeof code === 'number') return code;
    console.error(`ambientctl: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
}
