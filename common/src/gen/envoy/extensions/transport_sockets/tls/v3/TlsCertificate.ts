// Original file: node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/extensions/transport_sockets/tls/v3/common.proto

import type { DataSource as _envoy_config_core_v3_DataSource, DataSource__Output as _envoy_config_core_v3_DataSource__Output } from '../../../../../envoy/config/core/v3/DataSource.ts';
import type { PrivateKeyProvider as _envoy_extensions_transport_sockets_tls_v3_PrivateKeyProvider, PrivateKeyProvider__Output as _envoy_extensions_transport_sockets_tls_v3_PrivateKeyProvider__Output } from '../../../../../envoy/extensions/transport_sockets/tls/v3/PrivateKeyProvider.ts';
import type { WatchedDirectory as _envoy_config_core_v3_WatchedDirectory, WatchedDirectory__Output as _envoy_config_core_v3_WatchedDirectory__Output } from '../../../../../envoy/config/core/v3/WatchedDirectory.ts';

export interface TlsCertificate {
  'certificate_chain'?: (_envoy_config_core_v3_DataSource | null);
  'private_key'?: (_envoy_config_core_v3_DataSource | null);
  'password'?: (_envoy_config_core_v3_DataSource | null);
  'ocsp_staple'?: (_envoy_config_core_v3_DataSource | null);
  'signed_certificate_timestamp'?: (_envoy_config_core_v3_DataSource)[];
  'private_key_provider'?: (_envoy_extensions_transport_sockets_tls_v3_PrivateKeyProvider | null);
  'watched_directory'?: (_envoy_config_core_v3_WatchedDirectory | null);
  'pkcs12'?: (_envoy_config_core_v3_DataSource | null);
}

export interface TlsCertificate__Output {
  'certificate_chain': (_envoy_config_core_v3_DataSource__Output | null);
  'private_key': (_envoy_config_core_v3_DataSource__Output | null);
  'password': (_envoy_config_core_v3_DataSource__Output | null);
  'ocsp_staple': (_envoy_config_core_v3_DataSource__Output | null);
  'signed_certificate_timestamp': (_envoy_config_core_v3_DataSource__Output)[];
  'private_key_provider': (_envoy_extensions_transport_sockets_tls_v3_PrivateKeyProvider__Output | null);
  'watched_directory': (_envoy_config_core_v3_WatchedDirectory__Output | null);
  'pkcs12': (_envoy_config_core_v3_DataSource__Output | null);
}
