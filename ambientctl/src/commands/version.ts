import { Command } from 'commander';
import { readFileSync } from 'node:fs';

/** What `ambientctl version` reports; pure so it can be tested without a process. */
export interface VersionInfo {
  readonly version: string;
  readonly node: string;
  readonly platform: string;
}

export function versionInfo(): VersionInfo {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return { version: pkg.version, node: process.version, platform: `${process.platform}/${process.arch}` };
}

export function versionCommand(): Command {
  return new Command('version')
    .description('Print the version of ambientctl and the runtime it runs on')
    .option('-o, --output <format>', 'output format: text or json', 'text')
    .action((opts: { output: string }) => {
      const info = versionInfo();
      if (opts.output === 'json') {
        console.log(JSON.stringify(info));
      } else {
        console.log(`ambientctl version ${info.version} (node ${info.node}, ${info.platform})`);
      }
    });
}
