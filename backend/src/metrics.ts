import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type MetricParameters<L extends string> = { name: string; help: string; labelNames?: readonly L[] };
export type HistogramParameters<L extends string> = MetricParameters<L> & { buckets?: number[] };

export type Metrics = {
  registry: Registry;
  /** Get-or-create: calling twice with the same name returns the first metric, so factories may run twice. */
  counter<L extends string = string>(parameters: MetricParameters<L>): Counter<L>;
  gauge<L extends string = string>(parameters: MetricParameters<L>): Gauge<L>;
  histogram<L extends string = string>(parameters: HistogramParameters<L>): Histogram<L>;
  /** Prometheus text exposition and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
};

export type CreateMetricsParameters = {
  /** Prefix for every metric name, default `carbon_`. */
  prefix?: string;
  /** Node.js process metrics (event loop lag, heap, GC), default true. */
  defaultMetrics?: boolean;
};

/**
 * One prom-client `Registry` per call. Nothing is registered in prom-client's global registry, so tests and
 * several contexts in one process never collide on metric names.
 */
export function createMetrics(parameters: CreateMetricsParameters = {}): Metrics {
  const prefix = parameters.prefix ?? "carbon_";
  const registry = new Registry();
  if (parameters.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix });

  function existing<T>(name: string): T | undefined {
    return registry.getSingleMetric(`${prefix}${name}`) as T | undefined;
  }

  return {
    registry,
    counter(p) {
      return (
        existing(p.name) ??
        new Counter({ name: `${prefix}${p.name}`, help: p.help, labelNames: p.labelNames ?? [], registers: [registry] })
      );
    },
    gauge(p) {
      return (
        existing(p.name) ??
        new Gauge({ name: `${prefix}${p.name}`, help: p.help, labelNames: p.labelNames ?? [], registers: [registry] })
      );
    },
    histogram(p) {
      return (
        existing(p.name) ??
        new Histogram({
          name: `${prefix}${p.name}`,
          help: p.help,
          labelNames: p.labelNames ?? [],
          ...(p.buckets === undefined ? {} : { buckets: p.buckets }),
          registers: [registry],
        })
      );
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
