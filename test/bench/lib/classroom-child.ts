/**
 * Child process of `runClassroomInProcesses`: runs some rooms of a simulated classroom and talks to its
 * parent over the IPC channel. Parent -> child: `start` (the options), then `go`; child -> parent:
 * `ready` (every client joined), then `result` (latencies and the CPU this process used from `go` on).
 */
import { runClassroom, type ClassroomOptions, type ClassroomResult } from './classroom.ts';

export type ChildOptions = Omit<ClassroomOptions, 'ready'>;
export type ToChild = { type: 'start'; options: ChildOptions } | { type: 'go' };
export type FromChild =
  | { type: 'ready' }
  | { type: 'result'; result: ClassroomResult; cpuSeconds: number }
  | { type: 'failed'; error: string };

const send = (msg: FromChild) =>
  new Promise<void>((resolve, reject) =>
    process.send?.(msg, (err: Error | null) => (err ? reject(err) : resolve())),
  );

let go: () => void = () => {};
const started = new Promise<void>((resolve) => (go = resolve));
let cpu0 = process.cpuUsage();

process.on('message', (msg: ToChild) => {
  if (msg.type === 'go') {
    cpu0 = process.cpuUsage();
    go();
    return;
  }
  runClassroom({
    ...msg.options,
    ready: async () => {
      await send({ type: 'ready' });
      await started;
    },
  })
    .then(async (result) => {
      const used = process.cpuUsage(cpu0);
      await send({ type: 'result', result, cpuSeconds: (used.user + used.system) / 1e6 });
      process.exit(0);
    })
    .catch(async (err: unknown) => {
      await send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.exit(1);
    });
});
