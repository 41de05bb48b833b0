/**
 * The browser client's Connection (client/src/net/connection.ts, run in Node against a real server): when
 * the server reports that it recovered from a degraded store, the client asks for a fresh snapshot, since
 * broadcasts missed during the outage are never replayed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BoardState } from '../../client/src/board-state.ts';
import { Connection } from '../../client/src/net/connection.ts';
import type { InkboardServer } from '../../server/app.ts';
import { EVENTS } from '../../shared/protocol.ts';
import { createBoard, startServer, tempDir, userKey } from '../helpers/server-harness.ts';

const tmp = tempDir('client-recovery');
let server: InkboardServer;
beforeAll(async () => {
  server = await startServer({ DATA_DIR: tmp.dir });
});
afterAll(async () => {
  await server.close();
  tmp.remove();
});

const waitFor = async (check: () => boolean, what: string) => {
  for (const deadline = Date.now() + 5000; !check();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

it('resyncs once when the server recovers, not on every status', async () => {
  const { boardId } = await createBoard(server.url);
  const state = new BoardState(boardId);
  const conn = new Connection(state, { userKey: userKey('ada'), name: 'Ada', color: '#2563eb' }, server.url);
  let syncs = 0;
  conn.events.on('synced', () => void syncs++);
  try {
    await waitFor(() => syncs === 1, 'the first snapshot');
    const status = (degraded: boolean) => server.io.emit(EVENTS.toClient, { type: 'status', degraded });

    status(false); // nothing to recover from
    await new Promise((r) => setTimeout(r, 300));
    expect(syncs).toBe(1);

    status(true);
    await waitFor(() => state.degraded, 'the degraded status');
    expect(syncs).toBe(1);
    status(false);
    await waitFor(() => syncs === 2, 'the resync after recovery');
    await new Promise((r) => setTimeout(r, 300));
    expect(syncs).toBe(2); // the resync's own snapshot (degraded: false) does not start another
    expect(state.degraded).toBe(false);
  } finally {
    conn.close();
  }
});
