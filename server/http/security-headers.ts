/**
 * Security headers (helmet): a Content-Security-Policy that fits the Vite-built client (its own scripts
 * and styles, data: icons, sockets to this host), no MIME sniffing, and no framing by other sites.
 * The dev server (Vite middleware, inline HMR scripts) gets the other headers without the CSP.
 */
import type { IncomingMessage } from 'node:http';
import helmet from 'helmet';

export function securityHeaders(opts: { dev: boolean }) {
  const sameHostSockets = (req: IncomingMessage) =>
    `ws://${req.headers.host ?? 'localhost'} wss://${req.headers.host ?? 'localhost'}`;
  return helmet({
    contentSecurityPolicy: opts.dev
      ? false
      : {
          useDefaults: false,
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'"],
            // Konva and the UI set element styles; no inline <style> or style attributes are needed,
            // but 'unsafe-inline' for styles costs little and keeps third-party CSS-in-JS working.
            styleSrc: ["'self'", "'unsafe-inline'"],
            imgSrc: ["'self'", 'data:', 'blob:'],
            connectSrc: ["'self'", sameHostSockets],
            fontSrc: ["'self'", 'data:'],
            objectSrc: ["'none'"],
            baseUri: ["'self'"],
            formAction: ["'self'"],
            frameAncestors: ["'self'"],
          },
        },
    // Classrooms often run plain http on a LAN: do not pin https.
    strictTransportSecurity: false,
    xFrameOptions: { action: 'sameorigin' },
  });
}
