import { Command } from 'commander';
import { compilePolicy, type Decision, evaluate, parseIp, selectPolicies } from '@mesh/common/authz';
import { SpiffeId } from '@mesh/common/identity';
import { loadPolicies, usageErrorsExit2 } from './x-authz-load.ts';

interface CheckOptions {
  file: string;
  rootNamespace: string;
  dstNamespace: string;
  dst: string;
  src: string;
  identity?: string;
  workloadPolicies?: string;
  output: string;
}

/** `ambientctl x authz check`: decide one connection against the policies in a file, as ztunnel would. */
export function xAuthzCheckCommand(): Command {
  return new Command('check')
    .description(
      'Evaluate one connection against the policies in a file (AuthorizationPolicy/PeerAuthentication objects or ' +
        'converted Authorization resources) and print the decision and the policy that decided. Workload-scoped ' +
        'policies (selectors, PeerAuthentication, static strict) only apply when listed in --workload-policies.',
    )
    .requiredOption('-f, --file <file>', 'multi-document YAML file')
    .requiredOption('--dst-namespace <ns>', 'namespace of the destination workload')
    .requiredOption('--dst <ip:port>', 'destination address')
    .requiredOption('--src <ip:port>', 'source address')
    .option('--identity <spiffe-id>', 'peer identity (spiffe://<td>/ns/<ns>/sa/<sa>); omit for plaintext')
    .option('--workload-policies <ns/name,...>', 'policies the destination workload selects')
    .option('--root-namespace <ns>', 'mesh root namespace', 'istio-system')
    .option('-o, --output <format>', 'text or json', 'text')
    .exitOverride(usageErrorsExit2)
    .action((opts: CheckOptions) => {
      if (opts.output !== 'text' && opts.output !== 'json') throw new Error(`--output must be text or json, got ${opts.output}`);
      const dst = parseHostPort('--dst', opts.dst);
      const src = parseHostPort('--src', opts.src);
      const identity = opts.identity === undefined ? null : SpiffeId.parse(opts.identity);
      const workloadPolicyNames = parseNames(opts.workloadPolicies);
      const { policies } = loadPolicies(opts);
      const compiled = policies.map(compilePolicy);
      const known = new Set(compiled.map((p) => p.key));
      for (const name of workloadPolicyNames) {
        if (!known.has(name)) console.error(`warning: --workload-policies names ${name}, which is not in ${opts.file}`);
      }
      const applicable = selectPolicies(compiled, { namespace: opts.dstNamespace, workloadPolicyNames });
      const decision = evaluate(applicable, {
        srcIdentity: identity,
        srcIp: src.ip,
        dstIp: dst.ip,
        dstPort: dst.port,
        dstNamespace: opts.dstNamespace,
      });
      print(decision, opts.output);
    });
}

function print(d: Decision, output: string): void {
  // Dry-run outcomes never change the decision. When one would matter (a dry-run policy matched, or enforcing
  // them would change the decision) it is appended to the reason, so both output formats carry it.
  const dr = d.dryRun;
  const dry =
    dr && (dr.matched.length > 0 || dr.decision !== d.decision)
      ? `; dry-run: would ${dr.decision} (${dr.reason}; matched: ${dr.matched.join(', ') || 'none'})`
      : '';
  const reason = d.reason + dry;
  if (output === 'json') {
    console.log(JSON.stringify({ decision: d.decision, policy: d.policy, reason }));
  } else {
    console.log(`${d.decision.toUpperCase()}${d.policy ? ` by ${d.policy}` : ''}: ${reason}`);
  }
}

/** `1.2.3.4:80` or `[fd00::1]:80`. */
function parseHostPort(flag: string, text: string): { ip: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:]+):(\d{1,5})$/.exec(text);
  const ip = m?.[1];
  const port = Number(m?.[2]);
  if (!ip || !parseIp(ip) || !(port >= 0 && port <= 65535)) {
    throw new Error(`${flag} must be <ip>:<port> (IPv6 as [addr]:port), got ${JSON.stringify(text)}`);
  }
  return { ip, port };
}

function parseNames(list: string | undefined): string[] {
  if (!list) return [];
  return list.split(',').map((n) => {
    const name = n.trim();
    if (!/^[^/\s]*\/[^/\s]+$/.test(name)) throw new Error(`--workload-policies entries must be <namespace>/<name>, got ${JSON.stringify(name)}`);
    return name;
  });
}
