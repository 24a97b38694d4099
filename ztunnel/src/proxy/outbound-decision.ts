// Where an outbound connection goes (reference §6.2), as a pure function of the state: a service VIP picks
// an endpoint (or the service's waypoint), a workload IP goes to that workload (or its waypoint), anything
// else passes through. HBONE-capable destinations get HBONE to 15008; the rest plain TCP.
import { formatHostPort } from '@mesh/common/hbone';
import type { StateView } from '../state/store.ts';
import { serviceKey, workloadIdentity } from '../state/types.ts';
import type { GatewayRef, Service, Workload } from '../state/types.ts';
import { pickEndpoint, targetPort } from './endpoint-pick.ts';

export const HBONE_PORT = 15008;
/** ztunnel's own in-pod ports; connections to them are self-calls. */
export const PROXY_PORTS: ReadonlySet<number> = new Set([15001, 15006, 15008]);

export type OutboundRoute =
  | {
      readonly kind: 'hbone';
      /** Where to open the mTLS connection: the workload or waypoint IP and its HBONE port. */
      readonly dialIp: string;
      readonly dialPort: number;
      /** CONNECT `:authority`. */
      readonly authority: string;
      /** Identities accepted from the server. */
      readonly expectedIdentities: readonly string[];
      readonly dstWorkload: Workload;
      readonly dstService: Service | undefined;
      /** True when going through a waypoint. */
      readonly viaWaypoint: boolean;
    }
  | { readonly kind: 'tcp'; readonly ip: string; readonly port: number; readonly dstWorkload: Workload; readonly dstService: Service | undefined }
  | { readonly kind: 'passthrough'; readonly ip: string; readonly port: number }
  | { readonly kind: 'refuse'; readonly reason: string; readonly code: 'ERR_ZTUNNEL_NO_HEALTHY_UPSTREAM' | 'ERR_ZTUNNEL_SELF_CALL' };

export interface OutboundInput {
  readonly source: Workload | undefined;
  readonly network: string;
  readonly dstIp: string;
  readonly dstPort: number;
  readonly random?: () => number;
}

/** Decides the route of one outbound connection. */
export function decideOutbound(state: StateView, input: OutboundInput): OutboundRoute {
  const { dstIp, dstPort, network } = input;
  if (PROXY_PORTS.has(dstPort) && (isLoopback(dstIp) || (input.source?.addresses.includes(dstIp) ?? false))) {
    return { kind: 'refuse', code: 'ERR_ZTUNNEL_SELF_CALL', reason: `connection to ztunnel's own port ${formatHostPort(dstIp, dstPort)} is a self-call` };
  }
  const service = state.serviceByVip(network, dstIp);
  if (service) {
    if (service.waypoint && !isWaypointItself(state, service.waypoint, input.source)) {
      const wp = resolveGateway(state, service.waypoint, network, input.random);
      if (!wp) return noUpstream(`waypoint of service ${serviceKey(service)} has no usable endpoint`);
      return hboneToWaypoint(wp, service.waypoint, formatHostPort(dstIp, dstPort), service);
    }
    const key = serviceKey(service);
    const endpoint = pickEndpoint(service, state.endpointsOf(service), input.random);
    if (!endpoint) {
      if (service.lbMode === 'PASSTHROUGH') return { kind: 'passthrough', ip: dstIp, port: dstPort };
      return noUpstream(`no healthy upstream for service ${key}`);
    }
    const port = targetPort(service, key, endpoint, dstPort);
    if (port === undefined) return noUpstream(`service ${key} has no port ${dstPort}`);
    return toWorkload(endpoint, endpoint.addresses[0] as string, port, service);
  }
  const workload = state.workloadByIp(network, dstIp);
  if (!workload) return { kind: 'passthrough', ip: dstIp, port: dstPort };
  if (workload.waypoint && !isWaypointItself(state, workload.waypoint, input.source)) {
    const wp = resolveGateway(state, workload.waypoint, network, input.random);
    if (!wp) return noUpstream(`waypoint of workload ${workload.uid} has no usable endpoint`);
    return hboneToWaypoint(wp, workload.waypoint, formatHostPort(dstIp, dstPort), undefined);
  }
  return toWorkload(workload, dstIp, dstPort, undefined);
}

function toWorkload(w: Workload, ip: string, port: number, service: Service | undefined): OutboundRoute {
  if (w.tunnel === 'HBONE') {
    return {
      kind: 'hbone',
      dialIp: ip,
      dialPort: HBONE_PORT,
      authority: formatHostPort(ip, port),
      expectedIdentities: [workloadIdentity(w), ...(service?.subjectAltNames ?? [])],
      dstWorkload: w,
      dstService: service,
      viaWaypoint: false,
    };
  }
  return { kind: 'tcp', ip, port, dstWorkload: w, dstService: service };
}

function hboneToWaypoint(wp: Workload, ref: GatewayRef, authority: string, service: Service | undefined): OutboundRoute {
  return {
    kind: 'hbone',
    dialIp: wp.addresses[0] as string,
    dialPort: ref.port || HBONE_PORT,
    authority,
    expectedIdentities: [workloadIdentity(wp)],
    dstWorkload: wp,
    dstService: service,
    viaWaypoint: true,
  };
}

/** The waypoint workload a reference points at: a service's endpoint, or the workload at an address. */
export function resolveGateway(state: StateView, ref: GatewayRef, network: string, random?: () => number): Workload | undefined {
  if (ref.kind === 'address') return state.workloadByIp(ref.network || network, ref.ip);
  const svc = state.serviceByKey(`${ref.namespace}/${ref.hostname}`);
  if (!svc) return undefined;
  return pickEndpoint(svc, state.endpointsOf(svc), random);
}

/** A waypoint's own traffic never loops back into itself. */
function isWaypointItself(state: StateView, ref: GatewayRef, source: Workload | undefined): boolean {
  if (!source) return false;
  if (ref.kind === 'address') return source.addresses.includes(ref.ip);
  return `${ref.namespace}/${ref.hostname}` in source.services;
}

function noUpstream(reason: string): OutboundRoute {
  return { kind: 'refuse', code: 'ERR_ZTUNNEL_NO_HEALTHY_UPSTREAM', reason };
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}
