import { Command } from 'commander';
import { versionCommand } from './commands/version.ts';
import { localCommand } from './commands/local.ts';
import { xCommand } from './commands/x-authz.ts';
import { applyCommand } from './commands/apply.ts';

/** Builds the command tree. Each command lives in its own file under commands/. */
export function buildProgram(): Command {
  const program = new Command('ambientctl')
    .description('Operate an ambient-mode service mesh: any cluster through a kubeconfig, or a local one.')
    .exitOverride()
    .showHelpAfterError();
  program.addCommand(versionCommand());
  program.addCommand(localCommand());
  program.addCommand(xCommand());
  program.addCommand(applyCommand());
  return program;
}
