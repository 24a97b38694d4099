export { startCa } from './start-ca.ts';
export type { StartCaOptions, StartedCa } from './start-ca.ts';
export { IstiodCaError, IstiodCaErrorCode } from './ca-errors.ts';
export { CA_SECRET_NAME, CA_CERT_KEY, CA_KEY_KEY, loadOrCreateRoot } from './root-secret.ts';
export { ROOT_CERT_CONFIGMAP, ROOT_CERT_KEY, createRootCertPublisher } from './root-cert-publisher.ts';
export type { RootCertPublisher } from './root-cert-publisher.ts';
export { grantedTtlSeconds } from './ttl.ts';
export { parseTrustedNodeAccounts } from './trusted-accounts.ts';
