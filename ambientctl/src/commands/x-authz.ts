import { Command } from 'commander';
import { xAuthzCheckCommand } from './x-authz-check.ts';
import { xAuthzConvertCommand } from './x-authz-convert.ts';
import { usageErrorsExit2 } from './x-authz-load.ts';

/** `ambientctl x`: experimental commands. */
export function xCommand(): Command {
  return new Command('x').description('Experimental commands').exitOverride(usageErrorsExit2).addCommand(xAuthzCommand());
}

/** `ambientctl x authz`: the mesh's L4 policy engine, offline. */
export function xAuthzCommand(): Command {
  return new Command('authz')
    .description('Convert and evaluate L4 authorization policies exactly as istiod and ztunnel do')
    .exitOverride(usageErrorsExit2)
    .addCommand(xAuthzConvertCommand())
    .addCommand(xAuthzCheckCommand());
}
