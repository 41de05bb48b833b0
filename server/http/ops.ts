/** Operations endpoints: GET /healthz and GET /metrics. */
import { Router } from 'express';
import type { ServerMetrics } from '../metrics.ts';
import type { RecognitionQueue } from '../../shared/recognition-contract.ts';
import type { BoardStore } from '../store/board-store.ts';

export interface OpsOptions {
  mode: 'embedded' | 'distributed';
  store: BoardStore;
  queue: RecognitionQueue;
  metrics: ServerMetrics;
  /** The inference backend in this process, or a description (e.g. `workers` in distributed mode). */
  backend: () => string;
  /** Why the preferred inference backend was passed over (e.g. CUDA could not start), if it was. */
  backendFallback?: () => string | undefined;
  /** The model read as a second opinion on each digit in this process, if any. */
  secondOpinion?: () => string | undefined;
  clients: () => number;
}

export function opsRouter(opts: OpsOptions): Router {
  const r = Router();
  r.get('/healthz', async (_req, res) => {
    const queueDepth = await opts.queue.depth().catch(() => null);
    const degraded = opts.store.degraded;
    res.status(degraded ? 503 : 200).json({
      status: degraded ? 'degraded' : 'ok',
      mode: opts.mode,
      backend: opts.backend(),
      ...(opts.backendFallback?.() ? { backendFallback: opts.backendFallback() } : {}),
      ...(opts.secondOpinion?.() ? { secondOpinion: opts.secondOpinion() } : {}),
      queueDepth,
      clients: opts.clients(),
      redis: opts.mode === 'distributed' ? (degraded ? 'down' : 'ready') : 'not used',
      uptimeSeconds: Math.round(process.uptime()),
    });
  });
  r.get('/metrics', async (_req, res) => {
    res.type(opts.metrics.registry.contentType).send(await opts.metrics.registry.metrics());
  });
  return r;
}
