export { ClusterWatcher } from './cluster-watcher.ts';
export type { ClusterSnapshot, ClusterWatcherOptions } from './cluster-watcher.ts';
export { KindWatcher } from './kind-watcher.ts';
export type { ChangeEventType, ChangeListener, KindWatcherState, RetryOptions } from './kind-watcher.ts';
export { WATCHED_KINDS } from './kinds.ts';
export type { ClusterObjectKey, WatchedKind } from './kinds.ts';
export { listRaw } from './raw-list.ts';
export { KubeError } from './kube-error.ts';
export type { KubeErrorCode } from './kube-error.ts';
