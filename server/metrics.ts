/** Prometheus metrics of a server (prom-client), one registry per server instance. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServerMetricsOptions {
  /** Also collect process metrics (CPU, memory, event loop lag). Default true. */
  defaults?: boolean;
}

export function createMetrics(opts: ServerMetricsOptions = {}) {
  const registry = new Registry();
  if (opts.defaults ?? true) collectDefaultMetrics({ register: registry, prefix: 'inkboard_' });
  const registers = [registry];
  const latencyBuckets = [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5];
  return {
    registry,
    connections: new Gauge({ name: 'inkboard_connections', help: 'Connected socket.io clients', registers }),
    messages: new Counter({
      name: 'inkboard_messages_total',
      help: 'Client messages received, by type',
      labelNames: ['type'],
      registers,
    }),
    rejected: new Counter({
      name: 'inkboard_messages_rejected_total',
      help: 'Client messages rejected, by error code',
      labelNames: ['code'],
      registers,
    }),
    jobsEnqueued: new Counter({
      name: 'inkboard_jobs_enqueued_total',
      help: 'Recognition jobs queued',
      registers,
    }),
    jobsCompleted: new Counter({
      name: 'inkboard_jobs_completed_total',
      help: 'Recognition jobs finished, by outcome (stored, stale, failed)',
      labelNames: ['outcome'],
      registers,
    }),
    recognitionSeconds: new Histogram({
      name: 'inkboard_recognition_duration_seconds',
      help: 'Time to recognise one batch of regions',
      buckets: latencyBuckets,
      registers,
    }),
    penUpToLabelSeconds: new Histogram({
      name: 'inkboard_pen_up_to_label_seconds',
      help: 'From the pen-up (commit) to the label being broadcast',
      buckets: latencyBuckets,
      registers,
    }),
  };
}

export type ServerMetrics = ReturnType<typeof createMetrics>;
