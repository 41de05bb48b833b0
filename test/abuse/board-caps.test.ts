/**
 * Board creation caps, in both modes: MAX_BOARDS in all (LIMIT_REACHED, 409), BOARDS_PER_MINUTE per address,
 * which a spoofed X-Forwarded-For does not get around unless TRUST_PROXY names the proxy.
 */
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import type { InkboardServer } from '../../server/app.ts';
import { startServer, tempDir, type Mode } from '../helpers/server-harness.ts';

describe.each<Mode>(['embedded', 'distributed'])('%s mode', (mode) => {
  const servers: InkboardServer[] = [];
  const tmp = tempDir(`caps-${mode}`);
  const dirs = [tmp];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  afterAll(() => dirs.forEach((d) => d.remove()));
  const start = async (env: Record<string, string>) => {
    const all = { DATA_DIR: tmp.dir, ...env };
    if (mode === 'distributed')
      Object.assign(all, { REDIS_URL: inject('redisUrl'), REDIS_PREFIX: `caps${process.pid}${Date.now()}` });
    const s = await startServer(all);
    servers.push(s);
    return s;
  };
  const create = (url: string, headers: Record<string, string> = {}) =>
    fetch(`${url}/api/v1/boards`, { method: 'POST', headers }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as { error?: { code: string } },
    }));

  it('refuses boards past MAX_BOARDS with LIMIT_REACHED', async () => {
    const fresh = tempDir(`caps-max-${mode}`);
    dirs.push(fresh);
    const s = await start({ MAX_BOARDS: '2', DATA_DIR: fresh.dir });
    expect((await create(s.url)).status).toBe(201);
    expect((await create(s.url)).status).toBe(201);
    const third = await create(s.url);
    expect(third.status).toBe(409);
    expect(third.body.error?.code).toBe('LIMIT_REACHED');
  });

  it('counts board creation per address; X-Forwarded-For is believed only from a trusted proxy', async () => {
    const s = await start({ BOARDS_PER_MINUTE: '3' });
    const spoofed = await Promise.all(
      Array.from({ length: 5 }, (_, i) => create(s.url, { 'x-forwarded-for': `10.0.0.${i + 1}` })),
    );
    expect(spoofed.map((r) => r.status).sort()).toEqual([201, 201, 201, 429, 429]);
    const trusting = await start({ BOARDS_PER_MINUTE: '3', TRUST_PROXY: 'loopback' });
    const forwarded = await Promise.all(
      Array.from({ length: 5 }, (_, i) => create(trusting.url, { 'x-forwarded-for': `10.0.0.${i + 1}` })),
    );
    expect(forwarded.every((r) => r.status === 201)).toBe(true);
  });
});
