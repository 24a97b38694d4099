import { Command } from 'commander';
import { stringify } from 'yaml';
import { toProtoJson } from '@mesh/common/authz';
import { loadPolicies, usageErrorsExit2 } from './x-authz-load.ts';

/** `ambientctl x authz convert`: print the Authorization resources istiod would send ztunnel. */
export function xAuthzConvertCommand(): Command {
  return new Command('convert')
    .description(
      'Print, as YAML (proto-JSON field names), the istio.security.Authorization resources istiod would send ' +
        'ztunnel for the AuthorizationPolicy and PeerAuthentication objects in a file',
    )
    .requiredOption('-f, --file <file>', 'multi-document YAML file')
    .option('--root-namespace <ns>', 'mesh root namespace', 'istio-system')
    .exitOverride(usageErrorsExit2)
    .action((opts: { file: string; rootNamespace: string }) => {
      const { policies, warnings } = loadPolicies(opts);
      for (const w of warnings) console.error(`warning: ${w.object}: ${w.message}`);
      if (policies.length === 0) {
        console.error('no policy for ztunnel in this file');
        return;
      }
      process.stdout.write(policies.map((p) => stringify(toProtoJson(p))).join('---\n'));
    });
}
