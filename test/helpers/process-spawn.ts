/** Child processes for tests: `node --import tsx SCRIPT` with its own env, logs kept, readiness by log line. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface TestProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything the process wrote (stdout and stderr), as text. */
  logs(): string;
  /** Resolves with the first log line matching `re` (searching what was already written too). */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Sends a signal (default SIGTERM); a no-op once exited. */
  kill(signal?: NodeJS.Signals): void;
}

export interface StartOptions {
  /** Added to the parent's environment. */
  env?: Record<string, string | undefined>;
  /** Waits for a log line matching this before resolving. Default: none. */
  ready?: RegExp;
  /** Default 30000. */
  readyTimeoutMs?: number;
}

/** Starts `script` (relative to the repository root) in a child process. */
export async function startProcess(
  name: string,
  script: string,
  opts: StartOptions = {},
): Promise<TestProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  const onData = (buf: Buffer) => {
    text += buf.toString();
    for (const w of [...waiters]) {
      const m = text.split('\n').find((l) => w.re.test(l));
      if (m !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  let done = false;
  void exited.then(() => (done = true));

  const proc: TestProcess = {
    name,
    child,
    pid: child.pid ?? -1,
    logs: () => text,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (!done) child.kill(signal);
    },
    waitForLog: (re, timeoutMs = 30_000) => {
      const found = text.split('\n').find((l) => re.test(l));
      if (found !== undefined) return Promise.resolve(found);
      return new Promise<string>((resolve, reject) => {
        const t = setTimeout(
          () =>
            reject(
              new Error(
                `${name}: no log line matching ${re} within ${timeoutMs} ms. Logs:\n${text.slice(-3000)}`,
              ),
            ),
          timeoutMs,
        );
        void exited.then((code) => {
          clearTimeout(t);
          reject(new Error(`${name} exited (${code}) before logging ${re}. Logs:\n${text.slice(-3000)}`));
        });
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(t);
            resolve(l);
          },
        });
      });
    },
  };
  if (opts.ready) {
    try {
      await proc.waitForLog(opts.ready, opts.readyTimeoutMs ?? 30_000);
    } catch (err) {
      proc.kill('SIGKILL');
      throw err;
    }
  }
  return proc;
}

/** Kills every process (SIGKILL) and waits for them to exit; for afterAll/afterEach. */
export async function killAll(procs: Iterable<TestProcess | undefined>): Promise<void> {
  const list = [...procs].filter((p): p is TestProcess => p !== undefined);
  for (const p of list) p.kill('SIGKILL');
  await Promise.all(list.map((p) => p.exited));
}
