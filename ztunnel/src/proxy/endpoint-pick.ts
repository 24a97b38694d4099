import type { Service, Workload } from '../state/types.ts';

/**
 * Picks one endpoint of a service: healthy ones only (unless the service allows all), weighted by capacity.
 * `random` returns [0, 1) (injectable for tests). Undefined when there is none.
 */
export function pickEndpoint(service: Pick<Service, 'allowUnhealthy'>, endpoints: readonly Workload[], random: () => number = Math.random): Workload | undefined {
  const usable = endpoints.filter((w) => (service.allowUnhealthy || w.healthy) && w.addresses.length > 0);
  if (usable.length === 0) return undefined;
  const total = usable.reduce((sum, w) => sum + Math.max(1, w.capacity), 0);
  let r = random() * total;
  for (const w of usable) {
    r -= Math.max(1, w.capacity);
    if (r < 0) return w;
  }
  return usable[usable.length - 1];
}

/** The target port of `servicePort` on an endpoint: its own port list, else the service's, else unchanged. */
export function targetPort(service: Service, key: string, endpoint: Workload, servicePort: number): number | undefined {
  const own = endpoint.services[key]?.find((p) => p.servicePort === servicePort);
  if (own) return own.targetPort || servicePort;
  const svc = service.ports.find((p) => p.servicePort === servicePort);
  if (svc) return svc.targetPort || servicePort;
  return service.ports.length === 0 ? servicePort : undefined;
}
