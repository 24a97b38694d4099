// Replays istio-cni's iptables goldens (copied with their README under cni/test/testdata/istio-cni-inpod).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { buildHostProbeRules, buildInpodRules } from './index.ts';
import type { PodOverrides, RedirectConfig } from './index.ts';

const DIR = new URL('../../test/testdata/istio-cni-inpod/', import.meta.url);

interface Scenario {
  name: string;
  config: Partial<RedirectConfig>;
  podOverrides?: PodOverrides;
}
const scenarios = parse(readFileSync(new URL('scenarios.yaml', DIR), 'utf8')) as {
  baseConfig: RedirectConfig;
  inpod: Scenario[];
  host: Scenario[];
};

function golden(name: string): string {
  const text = readFileSync(new URL(`iptables/${name}.golden`, DIR), 'utf8');
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(0, 2), ['iptables-save', 'ip6tables-save'], `${name}: probe lines`);
  return lines.slice(2).join('\n');
}

describe('in-pod iptables rules match istio-cni goldens', () => {
  for (const s of scenarios.inpod) {
    for (const ipv6 of [false, true]) {
      const file = ipv6 ? `${s.name}_ipv6` : s.name;
      it(file, () => {
        const config = { ...scenarios.baseConfig, ...s.config };
        assert.equal(buildInpodRules(config, s.podOverrides ?? {}, { ipv6 }).join('\n'), golden(file));
      });
    }
  }
  it('generating twice gives the same text', () => {
    const config = { ...scenarios.baseConfig, redirectDNS: true };
    assert.deepEqual(buildInpodRules(config, {}, { ipv6: false }), buildInpodRules(config, {}, { ipv6: false }));
  });
  it('covers every in-pod golden file', () => {
    assert.equal(scenarios.inpod.length, 6);
  });
});

describe('host probe rules match istio-cni goldens', () => {
  for (const s of scenarios.host) {
    for (const ipv6 of [false, true]) {
      const file = ipv6 ? `${s.name}_ipv6` : s.name;
      it(file, () => {
        const config = { ...scenarios.baseConfig, ...s.config };
        assert.equal(buildHostProbeRules(config, { ipv6 }).join('\n'), golden(file));
      });
    }
  }
});
