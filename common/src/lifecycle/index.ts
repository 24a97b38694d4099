export { Readiness } from './readiness.ts';
export type { ReadyTask } from './readiness.ts';
export { Drain } from './drain.ts';
export type { DrainParticipant, DrainResult, DrainOptions } from './drain.ts';
export { onSignals } from './on-signals.ts';
export type { SignalEmitter, OnSignalsOptions } from './on-signals.ts';
