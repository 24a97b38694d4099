export { FakeXdsServer } from './fake-xds-server.ts';
export { workloadAddress, addressType, WatchRecorder, waitUntil } from './xds-fixtures.ts';
export type { WatchEvent } from './xds-fixtures.ts';
