/**
 * A simulated classroom whose clients run in several child processes (rooms split over them, a room's
 * clients always in one process, so latencies are timed on one clock), so the clients' own CPU does not
 * set the pace of a benchmark. Every process joins its clients first; writing starts in all of them at
 * once, when `onStart` has run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClassroomOptions, ClassroomResult } from './classroom.ts';
import type { ChildOptions, FromChild, ToChild } from './classroom-child.ts';
import { ROOT } from './services.ts';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'classroom-child.ts');

export interface ProcessesResult extends ClassroomResult {
  /** CPU seconds all client processes used while writing (from the start on). */
  clientsCpuSeconds: number;
  processes: number;
}

export async function runClassroomInProcesses(
  o: Omit<ClassroomOptions, 'ready'> & {
    /** Client processes (at most one per room). */
    processes: number;
    /** Runs once every client has joined, just before writing starts (e.g. to take CPU readings). */
    onStart?: () => void;
  },
): Promise<ProcessesResult> {
  const { processes, onStart, ...base } = o;
  const n = Math.max(1, Math.min(processes, o.rooms));
  const children: ChildProcess[] = [];
  try {
    const runs = Array.from({ length: n }, (_, k) => {
      const rooms = Math.floor(o.rooms / n) + (k < o.rooms % n ? 1 : 0);
      const options: ChildOptions = { ...base, rooms, numberOffset: k * 400 };
      const child = fork(CHILD, [], {
        cwd: ROOT,
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      let onReady: () => void = () => {};
      const ready = new Promise<void>((resolve) => (onReady = resolve));
      const done = new Promise<{ result: ClassroomResult; cpuSeconds: number }>((resolve, reject) => {
        child.on('message', (msg: FromChild) => {
          if (msg.type === 'ready') onReady();
          else if (msg.type === 'result') resolve(msg);
          else reject(new Error(`client process ${k} failed: ${msg.error}`));
        });
        // The result message may still be on its way when the exit is seen: give it a moment.
        child.on('exit', (code) =>
          setTimeout(() => reject(new Error(`client process ${k} exited with ${code}`)), 2000).unref(),
        );
      });
      child.send({ type: 'start', options } satisfies ToChild);
      return { child, ready, done };
    });
    // A failure while joining must not leave us waiting for `ready` forever.
    await Promise.race([Promise.all(runs.map((r) => r.ready)), Promise.all(runs.map((r) => r.done))]);
    onStart?.();
    for (const r of runs) r.child.send({ type: 'go' } satisfies ToChild);
    const results = await Promise.all(runs.map((r) => r.done));
    return {
      digits: results.reduce((a, r) => a + r.result.digits, 0),
      expected: results.reduce((a, r) => a + r.result.expected, 0),
      latenciesMs: results.flatMap((r) => r.result.latenciesMs),
      missing: results.reduce((a, r) => a + r.result.missing, 0),
      clientsCpuSeconds: results.reduce((a, r) => a + r.cpuSeconds, 0),
      processes: n,
    };
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}
