// Entry of every inference thread: registers tsx's loader in this thread (Node 20 does not carry the parent's
// --import hooks into worker threads, nor does vitest's), then loads the TypeScript entry named in workerData.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
