// Wires process signals to a drain. The emitter is injectable so tests can "send" signals without
// touching the real process; production passes nothing and gets `process`.
import type { Drain, DrainResult } from './drain.ts';

/** The part of `process` this needs. */
export interface SignalEmitter {
  on(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

/** Options for onSignals. */
export interface OnSignalsOptions {
  /** Defaults to `process`. */
  readonly emitter?: SignalEmitter;
  /** Defaults to SIGTERM and SIGINT. */
  readonly signals?: readonly string[];
  /** Called once with the drain result (typically: flush logs, then exit). */
  readonly onDrained?: (result: DrainResult) => void;
}

/** Starts `drain` on the first of `signals`; returns a function that removes the listeners. */
export function onSignals(drain: Drain, options: OnSignalsOptions = {}): () => void {
  const emitter = options.emitter ?? process;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const listeners = signals.map((sig) => {
    const listener = (): void => {
      // Repeated signals join the running drain (start() is idempotent), so onDrained fires once.
      if (drain.started) return;
      void drain.start(`received ${sig}`).then((result) => options.onDrained?.(result));
    };
    emitter.on(sig, listener);
    return { sig, listener };
  });
  return () => {
    for (const { sig, listener } of listeners) emitter.off(sig, listener);
  };
}
