/** The client address limits count against: X-Forwarded-For only through proxies TRUST_PROXY names. */
import type { IncomingMessage } from 'node:http';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { clientAddress, type TrustFn } from '../../server/limits/client-address.ts';
import { originAllowed } from '../../server/limits/origin.ts';

const trustOf = (setting: boolean | number | string): TrustFn => {
  const app = express();
  app.set('trust proxy', setting);
  return app.get('trust proxy fn') as TrustFn;
};
const req = (remote: string, headers: Record<string, string> = {}) =>
  ({ socket: { remoteAddress: remote }, headers }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  it('ignores X-Forwarded-For by default, even from loopback', () => {
    expect(clientAddress(req('127.0.0.1', { 'x-forwarded-for': '10.0.0.9' }), trustOf(false))).toBe(
      '127.0.0.1',
    );
  });
  it('believes a trusted proxy, and only the hops it trusts', () => {
    const r = req('127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 10.0.0.9' });
    expect(clientAddress(r, trustOf('loopback'))).toBe('10.0.0.9');
    expect(clientAddress(r, trustOf('loopback, 10.0.0.0/8'))).toBe('6.6.6.6');
    expect(clientAddress(req('8.8.8.8', { 'x-forwarded-for': '10.0.0.9' }), trustOf('loopback'))).toBe(
      '8.8.8.8',
    );
  });
});

describe('originAllowed', () => {
  const r = (origin?: string) =>
    ({
      headers: { host: 'board.example:3000', ...(origin ? { origin } : {}) },
    }) as unknown as IncomingMessage;
  it('allows no Origin, the same host, and listed origins only', () => {
    expect(originAllowed(r(), undefined)).toBe(true);
    expect(originAllowed(r('http://board.example:3000'), undefined)).toBe(true);
    expect(originAllowed(r('http://evil.example'), undefined)).toBe(false);
    expect(originAllowed(r('http://evil.example'), ['http://evil.example'])).toBe(true);
    expect(originAllowed(r('http://x.example'), ['*'])).toBe(true);
  });
});
