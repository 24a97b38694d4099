// The WDS message types (`istio.workload.*`) for components: istiod builds them, ztunnel reads them. Generated
// code has no entry point of its own, so the types are re-exported here. Input shapes (what ProtoCodec encodes)
// keep their generated names; decoded shapes end in `Output`.
export type {
  Address,
  Address__Output as AddressOutput,
} from '../gen/istio/workload/Address.ts';
export type { Workload, Workload__Output as WorkloadOutput } from '../gen/istio/workload/Workload.ts';
export type { Service, Service__Output as ServiceOutput } from '../gen/istio/workload/Service.ts';
export type { Port, Port__Output as PortOutput } from '../gen/istio/workload/Port.ts';
export type { PortList, PortList__Output as PortListOutput } from '../gen/istio/workload/PortList.ts';
export type { GatewayAddress, GatewayAddress__Output as GatewayAddressOutput } from '../gen/istio/workload/GatewayAddress.ts';
export type { NetworkAddress, NetworkAddress__Output as NetworkAddressOutput } from '../gen/istio/workload/NetworkAddress.ts';
export type { NamespacedHostname } from '../gen/istio/workload/NamespacedHostname.ts';
export type { LoadBalancing, LoadBalancing__Output as LoadBalancingOutput } from '../gen/istio/workload/LoadBalancing.ts';
export type { Locality } from '../gen/istio/workload/Locality.ts';
export type { AppProtocol__Output as AppProtocol } from '../gen/istio/workload/AppProtocol.ts';
export type { WorkloadType__Output as WorkloadType } from '../gen/istio/workload/WorkloadType.ts';
export type { TunnelProtocol__Output as TunnelProtocol } from '../gen/istio/workload/TunnelProtocol.ts';
