/**
 * The client address a request counts against: the socket's address, or, through proxies trusted by
 * TRUST_PROXY, the address they report in X-Forwarded-For. Same rule as express's `req.ip` (proxy-addr),
 * so HTTP and socket.io limits count one client the same way. By default no proxy is trusted, not even
 * one on loopback: a header is only believed when the operator says a proxy sets it.
 */
import type { IncomingMessage } from 'node:http';

/** express's compiled `trust proxy` function: `app.get('trust proxy fn')`. */
export type TrustFn = (addr: string, hop: number) => boolean;

export function clientAddress(req: IncomingMessage, trust: TrustFn): string {
  const remote = req.socket.remoteAddress ?? 'unknown';
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .reverse();
  const chain = [remote, ...forwarded];
  for (let i = 0; i < chain.length - 1; i++) if (!trust(chain[i]!, i)) return chain[i]!;
  return chain[chain.length - 1]!;
}
