// Replays istio-cni's nftables goldens (copied with their README under cni/test/testdata/istio-cni-inpod).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { buildHostProbeNftRules, buildInpodNftRules } from './nft-rules.ts';
import type { PodOverrides, RedirectConfig } from './options.ts';

const DIR = new URL('../../test/testdata/istio-cni-inpod/', import.meta.url);
const scenarios = parse(readFileSync(new URL('scenarios.yaml', DIR), 'utf8')) as {
  baseConfig: RedirectConfig;
  inpod: { name: string; config: Partial<RedirectConfig>; podOverrides?: PodOverrides }[];
};
const golden = (name: string): string => readFileSync(new URL(`nftables/${name}.golden`, DIR), 'utf8').replace(/\n$/, '');

describe('in-pod nftables rules match istio-cni goldens', () => {
  for (const s of scenarios.inpod) {
    for (const ipv6 of [false, true]) {
      const file = ipv6 ? `${s.name}_ipv6` : s.name;
      it(file, () => {
        assert.equal(buildInpodNftRules({ ...scenarios.baseConfig, ...s.config }, s.podOverrides ?? {}, { ipv6 }).join('\n'), golden(file));
      });
    }
  }
});

describe('host probe nftables rules match istio-cni goldens', () => {
  // Upstream's nftables host test keeps the base config's v6 SNAT address (the iptables one uses fd16:…).
  for (const ipv6 of [false, true]) {
    it(ipv6 ? 'hostprobe_ipv6' : 'hostprobe', () => {
      assert.equal(buildHostProbeNftRules(scenarios.baseConfig, { ipv6 }).join('\n'), golden(ipv6 ? 'hostprobe_ipv6' : 'hostprobe'));
    });
  }
});
