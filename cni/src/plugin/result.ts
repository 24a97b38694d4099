// prevResult conversion between CNI result versions (0.3.x/0.4.0 carry ips[].version, 1.0.0 does not). Pure.

export interface CniIp {
  readonly address: string;
  readonly gateway?: string;
  readonly interface?: number;
}

function isV1(version: string): boolean {
  return version.startsWith('1.');
}

/** The result in `toVersion`'s shape (a chained plugin prints its prevResult in the config's version). */
export function convertResult(prev: Record<string, unknown>, toVersion: string): Record<string, unknown> {
  const ips = Array.isArray(prev['ips']) ? (prev['ips'] as Record<string, unknown>[]) : [];
  const converted = ips.map((ip) => {
    const { version: _v, ...rest } = ip;
    if (isV1(toVersion)) return rest;
    const addr = typeof ip['address'] === 'string' ? ip['address'] : '';
    return { version: addr.includes(':') ? '6' : '4', ...rest };
  });
  const out: Record<string, unknown> = { ...prev, cniVersion: toVersion };
  if (ips.length > 0 || 'ips' in prev) out['ips'] = converted;
  return out;
}

/** The addresses of a result, for the node agent's event. */
export function resultIps(prev: Record<string, unknown> | undefined): CniIp[] {
  const ips = prev && Array.isArray(prev['ips']) ? (prev['ips'] as Record<string, unknown>[]) : [];
  const out: CniIp[] = [];
  for (const ip of ips) {
    if (typeof ip['address'] !== 'string') continue;
    out.push({
      address: ip['address'],
      ...(typeof ip['gateway'] === 'string' ? { gateway: ip['gateway'] } : {}),
      ...(typeof ip['interface'] === 'number' ? { interface: ip['interface'] } : {}),
    });
  }
  return out;
}
