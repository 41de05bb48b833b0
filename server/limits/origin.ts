/**
 * The Origin allow-list (ALLOWED_ORIGINS): a browser may open sockets and post to the API only from the
 * server's own origin or a listed one. Requests without an Origin header (non-browser clients, same-origin
 * GETs) are not browser cross-site requests and pass; the other limits still apply to them.
 */
import type { IncomingMessage } from 'node:http';

export function originAllowed(req: IncomingMessage, allowed: readonly string[] | undefined): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (allowed?.includes('*') || allowed?.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
