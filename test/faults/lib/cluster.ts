/**
 * A private deployment for one fault test: its own redis-server (port, dir, persistence flags), servers and
 * workers as child processes, an untrained model file (fault tests check delivery, not accuracy), real pen
 * digits, and cleanup of everything it started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { loadPenDigits, type PenDigit } from '../../../models/lib/pen-data.ts';
import { startRedis } from '../../helpers/redis-server.ts';
import { writeUntrainedModel } from '../../helpers/process-model.ts';
import { killAll, type TestProcess } from '../../helpers/process-spawn.ts';
import { startServerProcess, type ServerProcess } from '../../helpers/process-server.ts';
import { startWorkerProcess } from '../../helpers/process-worker.ts';
import { BoardClient } from '../../helpers/process-client.ts';

/** Persistence that loses nothing on kill -9: AOF fsynced on every write. */
export const DURABLE = ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];

/** Short locks so a dead worker's job runs again within about 2.5 s. */
export const FAST_LOCKS = { JOB_LOCK_MS: '2000', STALLED_INTERVAL_MS: '500' };

export class Cluster {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'inkboard-fault-'));
  readonly prefix = `f${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  redisPort = 0;
  redisUrl = '';
  redis: ChildProcess | undefined;
  modelDir = '';
  readonly procs: TestProcess[] = [];
  readonly clients: BoardClient[] = [];
  private digits: PenDigit[] = [];

  constructor(private readonly redisArgs: string[] = DURABLE) {}

  async start(): Promise<this> {
    const r = await startRedis(this.dir, this.redisArgs);
    Object.assign(this, { redisPort: r.port, redisUrl: r.url, redis: r.process });
    this.modelDir = await writeUntrainedModel();
    this.digits = loadPenDigits().slice(0, 200);
    return this;
  }

  /** Real pen digit number `i` (UCI pen digits, tablet units, y down). */
  digit(i: number): PenDigit {
    return this.digits[i % this.digits.length] as PenDigit;
  }

  /** The i-th real pen digit written in one stroke. */
  singleStrokeDigit(i: number): PenDigit {
    const one = this.digits.filter((d) => d.strokes.length === 1);
    return one[i % one.length] as PenDigit;
  }

  async server(env: Record<string, string> = {}, port?: number): Promise<ServerProcess> {
    const p = await startServerProcess({ redisUrl: this.redisUrl, prefix: this.prefix, port, env });
    this.procs.push(p);
    return p;
  }

  async worker(env: Record<string, string> = {}, name = 'worker'): Promise<TestProcess> {
    const p = await startWorkerProcess({
      redisUrl: this.redisUrl,
      prefix: this.prefix,
      modelDir: this.modelDir,
      env: { ...FAST_LOCKS, ...env },
      name,
    });
    this.procs.push(p);
    return p;
  }

  async client(urls: string[], boardId: string, name: string, start = 0): Promise<BoardClient> {
    const c = new BoardClient(urls, boardId, name);
    this.clients.push(c);
    await c.start(start);
    return c;
  }

  /** Stops redis: SIGKILL (crash) or SIGTERM (clean shutdown). */
  async stopRedis(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const r = this.redis;
    if (!r || r.exitCode !== null) return;
    const exited = new Promise((res) => r.once('exit', res));
    r.kill(signal);
    await exited;
  }

  /** Starts redis again on the same port and dir (so its AOF/RDB files are reloaded). */
  async restartRedis(): Promise<void> {
    const r = await startRedis(this.dir, this.redisArgs, this.redisPort);
    this.redis = r.process;
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.close();
    await killAll(this.procs);
    await this.stopRedis();
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.modelDir, { recursive: true, force: true });
  }
}
