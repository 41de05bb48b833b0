/** An inference thread: loads its engine (backend + model), batches digits of concurrent requests, answers. */
import { parentPort, workerData } from 'node:worker_threads';
import { Batcher } from './batcher.ts';
import type { CreateEngine } from './engine-types.ts';
import type { FromThread, ThreadData, ToThread } from './pool-messages.ts';

const data = workerData as ThreadData;
if (!parentPort) throw new Error('workers/pool-thread.ts must run in a worker thread');
const port = parentPort;
const send = (msg: FromThread) => port.postMessage(msg);

async function main(): Promise<void> {
  let engine;
  try {
    const mod = (await import(data.engineModule)) as { createEngine: CreateEngine };
    engine = await mod.createEngine({
      backend: data.backend,
      modelDir: data.modelDir,
      intraOpThreads: data.intraOpThreads,
      extra: data.extra,
    });
    // The first forward pass compiles kernels: pay for it before saying ready, not on a user's digit.
    await engine.classifyBatch([new Float32Array(784)]);
  } catch (err) {
    send({ type: 'init-failed', message: (err as Error).message ?? String(err) });
    return;
  }
  const ready = engine;
  const batcher = new Batcher<Float32Array, Float32Array>({
    run: (images) => ready.classifyBatch(images),
    maxBatch: data.batchMax,
    maxWaitMs: data.batchWaitMs,
    onBatch: (size, ms) => send({ type: 'batch', size, ms }),
  });
  const classify = (images: Float32Array[]) => batcher.submitMany(images);

  port.on('message', (msg: ToThread) => {
    if (msg.type === 'ping') return send({ type: 'pong', id: msg.id });
    if (msg.type === 'close') {
      void batcher.close().then(() => {
        send({ type: 'closed' });
        port.close();
      });
      return;
    }
    ready.recognize(msg.regions, classify).then(
      (results) => send({ type: 'result', id: msg.id, results }),
      (err: unknown) => send({ type: 'failed', id: msg.id, message: (err as Error)?.message ?? String(err) }),
    );
  });
  send({
    type: 'ready',
    backend: ready.backend,
    fallback: ready.fallback,
    secondOpinion: ready.secondOpinion,
  });
}

void main();
