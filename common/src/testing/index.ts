export { FakeXdsServer } from './fake-xds-server.ts';
export { workloadAddress, addressType, WatchRecorder, waitUntil } from './xds-fixtures.ts';
export type { WatchEvent } from './xds-fixtures.ts';
export { startLocalApiServer } from './local-apiserver.ts';
export type { LocalApiServer } from './local-apiserver.ts';
export { FakeCaServer } from './fake-ca-server.ts';
export type { FakeCaFailure, FakeCaRequest, FakeCaServerOptions } from './fake-ca-server.ts';
export { inpodRulesText } from '../net/pod-netns-fixture.ts';
