/**
 * Per-address limits shared by HTTP and socket.io (rate-limiter-flexible, in memory, per server):
 * bytes and messages per second from one address, connections per minute and open sockets per address.
 * Bytes are counted from the raw packet or the request's length, before anything is parsed.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Config } from '../../shared/config.ts';

export type LimitConfig = Pick<
  Config,
  | 'RATE_LIMIT'
  | 'ADDRESS_RATE_LIMIT'
  | 'CONNECTION_BYTES_PER_SECOND'
  | 'ADDRESS_BYTES_PER_SECOND'
  | 'MAX_SOCKETS_PER_ADDRESS'
  | 'CONNECTIONS_PER_MINUTE'
>;

/** Whether a consume call was within the limit (rate-limiter-flexible rejects with its state otherwise). */
const within = (p: Promise<unknown>): Promise<boolean> =>
  p.then(
    () => true,
    (err: unknown) => {
      if (err instanceof Error) throw err;
      return false;
    },
  );

export function createAddressLimits(c: LimitConfig) {
  // Bursts of up to two seconds' worth are allowed: the window is 2 s with twice the points.
  const messages = new RateLimiterMemory({ points: c.RATE_LIMIT * 2, duration: 2 });
  const addressMessages = new RateLimiterMemory({ points: c.ADDRESS_RATE_LIMIT * 2, duration: 2 });
  const connectionBytes = new RateLimiterMemory({ points: c.CONNECTION_BYTES_PER_SECOND * 2, duration: 2 });
  const addressBytes = new RateLimiterMemory({ points: c.ADDRESS_BYTES_PER_SECOND * 2, duration: 2 });
  const connects = new RateLimiterMemory({ points: c.CONNECTIONS_PER_MINUTE, duration: 60 });
  const sockets = new Map<string, number>();

  return {
    /** One message of a connection: its own rate and its address's. */
    message: async (socketId: string, address: string): Promise<boolean> =>
      (await within(messages.consume(socketId))) && (await within(addressMessages.consume(address))),
    /** Raw bytes received on a connection (`socketId` undefined: an HTTP body). */
    bytes: async (address: string, n: number, socketId?: string): Promise<boolean> => {
      const points = Math.max(1, Math.ceil(n));
      const conn = socketId === undefined || (await within(connectionBytes.consume(socketId, points)));
      return (await within(addressBytes.consume(address, points))) && conn;
    },
    /** A new connection from `address`: refused (with the reason) over the socket cap or connect rate. */
    async connect(address: string): Promise<string | undefined> {
      const open = sockets.get(address) ?? 0;
      if (open >= c.MAX_SOCKETS_PER_ADDRESS)
        return `at most ${c.MAX_SOCKETS_PER_ADDRESS} connections from one address`;
      // Counted before any await, so a burst of handshakes cannot all pass the check.
      sockets.set(address, open + 1);
      if (!(await within(connects.consume(address)))) {
        this.disconnect(address);
        return `at most ${c.CONNECTIONS_PER_MINUTE} new connections per minute from one address`;
      }
      return undefined;
    },
    /** A connection counted by `connect` closed. */
    disconnect(address: string): void {
      const n = (sockets.get(address) ?? 1) - 1;
      if (n > 0) sockets.set(address, n);
      else sockets.delete(address);
    },
    /** Open connections from `address` (tests, metrics). */
    socketsOf: (address: string): number => sockets.get(address) ?? 0,
  };
}
export type AddressLimits = ReturnType<typeof createAddressLimits>;
