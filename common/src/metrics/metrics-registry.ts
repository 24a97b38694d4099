// A per-process metrics registry. It wraps its own prom-client Registry (never the global default one), so
// each process and each test has an isolated set, and it applies the `istio_` prefix and the `_total` suffix.
import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';
import { MetricsError } from './metrics-error.ts';

// prom-client's index also loads its cluster aggregator (node:cluster, child_process, ...), the push gateway and
// the default process metrics: ~8 MB of resident memory in every process for code we never call. The four
// classes we use are plain CommonJS modules of the same package, loaded here directly; the types stay the
// package's own.
const requirePackage = createRequire(import.meta.url);
const Registry = requirePackage('prom-client/lib/registry.js') as typeof Prom.Registry;
const Counter = requirePackage('prom-client/lib/counter.js') as typeof Prom.Counter;
const Gauge = requirePackage('prom-client/lib/gauge.js') as typeof Prom.Gauge;
const Histogram = requirePackage('prom-client/lib/histogram.js') as typeof Prom.Histogram;
type Registry = Prom.Registry;
type Counter<L extends string> = Prom.Counter<L>;
type Gauge<L extends string> = Prom.Gauge<L>;
type Histogram<L extends string> = Prom.Histogram<L>;

/** The prefix every series gets (ztunnel's `sub_registry("istio")`). */
export const DEFAULT_PREFIX = 'istio_';

/** Options for MetricsRegistry. */
export interface MetricsRegistryOptions {
  /** Defaults to `istio_`; pass '' for none. */
  readonly prefix?: string;
}

/** How a metric is defined: name without the prefix, help text, label names. */
export interface MetricDefinition<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
}

/** A counter's definition; `exactName` keeps a name that Istio exposes without `_total` (istiod's `pilot_xds_pushes`). */
export interface CounterDefinition<L extends string> extends MetricDefinition<L> {
  readonly exactName?: boolean;
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** A process's metrics: create counters, gauges and histograms, and render the Prometheus text. */
export class MetricsRegistry {
  readonly registry: Registry;
  readonly prefix: string;

  constructor(options: MetricsRegistryOptions = {}) {
    this.registry = new Registry();
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
  }

  /** `name` with the prefix added unless it already has it. */
  fullName(name: string): string {
    return name.startsWith(this.prefix) ? name : `${this.prefix}${name}`;
  }

  /**
   * A counter. Its name ends in `_total`, as Prometheus and ztunnel name counters, unless `exactName` keeps it
   * as given (istiod's series predate that rule). Defining the same counter again returns the existing one (so
   * two components of one process can share it).
   */
  counter<L extends string>(def: CounterDefinition<L>): Counter<L> {
    const base = this.fullName(def.name);
    const name = def.exactName || base.endsWith('_total') ? base : `${base}_total`;
    return this.#getOrCreate(name, def, 'counter', () => {
      return new Counter<L>({ name, help: def.help, labelNames: def.labelNames ?? [], registers: [this.registry] });
    });
  }

  /** A gauge (same reuse rule as counter). */
  gauge<L extends string>(def: MetricDefinition<L>): Gauge<L> {
    const name = this.fullName(def.name);
    return this.#getOrCreate(name, def, 'gauge', () => {
      return new Gauge<L>({ name, help: def.help, labelNames: def.labelNames ?? [], registers: [this.registry] });
    });
  }

  /** A histogram with the given buckets (same reuse rule as counter). */
  histogram<L extends string>(def: MetricDefinition<L> & { readonly buckets?: readonly number[] }): Histogram<L> {
    const name = this.fullName(def.name);
    return this.#getOrCreate(name, def, 'histogram', () => {
      return new Histogram<L>({
        name,
        help: def.help,
        labelNames: def.labelNames ?? [],
        ...(def.buckets ? { buckets: [...def.buckets] } : {}),
        registers: [this.registry],
      });
    });
  }

  /** The Prometheus text exposition of every metric. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type that goes with metrics(). */
  get contentType(): string {
    return this.registry.contentType;
  }

  #getOrCreate<M>(name: string, def: MetricDefinition<string>, kind: MetricKind, make: () => M): M {
    if (!NAME_RE.test(name)) throw new MetricsError('ERR_METRICS_BAD_NAME', `invalid metric name ${JSON.stringify(name)}`);
    const existing = this.registry.getSingleMetric(name);
    if (!existing) return make();
    const labels = (existing as unknown as { labelNames?: readonly string[] }).labelNames ?? [];
    const existingKind = kindOf(existing);
    const sameLabels = JSON.stringify([...labels].sort()) === JSON.stringify([...(def.labelNames ?? [])].sort());
    if (existingKind !== kind || !sameLabels) {
      throw new MetricsError(
        'ERR_METRICS_CONFLICT',
        `metric ${name} is already defined as a ${existingKind} with labels [${labels.join(', ')}]; ` +
          `cannot redefine it as a ${kind} with labels [${(def.labelNames ?? []).join(', ')}]`,
      );
    }
    return existing as unknown as M;
  }
}

type MetricKind = 'counter' | 'gauge' | 'histogram' | 'other';

function kindOf(metric: unknown): MetricKind {
  if (metric instanceof Counter) return 'counter';
  if (metric instanceof Gauge) return 'gauge';
  if (metric instanceof Histogram) return 'histogram';
  return 'other';
}
