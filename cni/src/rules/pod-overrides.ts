// Pod annotations → PodOverrides (pure).
import { ANNOTATION } from './options.ts';
import type { DnsOverride, PodOverrides } from './options.ts';

const IFACE_RE = /^[A-Za-z0-9_.:@-]{1,15}$/;

/** Reads the overrides from a pod's annotations; unknown or malformed values fall back to the defaults. */
export function podOverridesFrom(annotations: Readonly<Record<string, string>> | undefined): PodOverrides {
  const a = annotations ?? {};
  const dns = a[ANNOTATION.dnsCapture]?.trim().toLowerCase();
  let dnsProxy: DnsOverride = 'default';
  if (dns === 'true') dnsProxy = 'enabled';
  else if (dns === 'false') dnsProxy = 'disabled';
  const virtualInterfaces = (a[ANNOTATION.rerouteVirtualInterfaces] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => IFACE_RE.test(s));
  return {
    ingressMode: a[ANNOTATION.bypassInbound]?.trim().toLowerCase() === 'true',
    virtualInterfaces,
    dnsProxy,
  };
}
