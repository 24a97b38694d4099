export { Pusher } from './pusher.ts';
export type { PushModel, PushResult, PusherInputs } from './pusher.ts';
export { Debouncer } from './debouncer.ts';
export type { DebounceOptions } from './debouncer.ts';
export { EncodingCache, contentVersion, toStoredResources } from './stored-resources.ts';
export type { ModelResource } from './stored-resources.ts';
