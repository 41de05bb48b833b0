/** docs/protocol.md stays in step with shared/protocol.ts. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_MESSAGE_TYPES,
  ERROR_CODES,
  EVENTS,
  LIMITS,
  PROTOCOL_VERSION,
  SERVER_MESSAGE_TYPES,
} from '../../shared/protocol.ts';

const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
const mentioned = (name: string) => doc.includes(`\`${name}\``);

describe('docs/protocol.md', () => {
  it('states the protocol version', () => {
    expect(doc).toContain(`Protocol version: **${PROTOCOL_VERSION}**`);
  });
  it.each([...CLIENT_MESSAGE_TYPES])('documents client message %s', (t) => expect(mentioned(t)).toBe(true));
  it.each([...SERVER_MESSAGE_TYPES])('documents server message %s', (t) => expect(mentioned(t)).toBe(true));
  it.each([...ERROR_CODES])('documents error code %s', (c) => expect(mentioned(c)).toBe(true));
  it.each(Object.entries(LIMITS))('documents limit %s = %s', (name, value) => {
    expect(mentioned(name)).toBe(true);
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${name}\``));
    expect(row, `a table row for ${name}`).toBeDefined();
    expect(row).toContain(`| ${value}`);
  });
  it('names both events', () => {
    expect(doc).toContain(`"${EVENTS.toServer}"`);
    expect(doc).toContain(`"${EVENTS.toClient}"`);
  });
});
