/** Type URLs of the xDS resources the mesh serves and consumes. */
export const TYPE_URL = {
  ADDRESS: 'type.googleapis.com/istio.workload.Address',
  AUTHORIZATION: 'type.googleapis.com/istio.security.Authorization',
  LISTENER: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  ROUTE_CONFIGURATION: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  CLUSTER: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  CLUSTER_LOAD_ASSIGNMENT: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  HTTP_CONNECTION_MANAGER:
    'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  ROUTER: 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
} as const;
