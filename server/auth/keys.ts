/** Board ids, owner keys and user ids: random where they must be unguessable, hashed where secret. */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { JOIN_CODE_ALPHABET } from '../../shared/protocol.ts';

/** 128 random bits, base64url (22 characters). */
export const newBoardId = (): string => randomBytes(16).toString('base64url');

/** 192 random bits, base64url (32 characters): the owner's secret. */
export const newOwnerKey = (): string => randomBytes(24).toString('base64url');

/** sha256 of a secret, base64url; what the store keeps instead of the secret. */
export const hashKey = (key: string): string => createHash('sha256').update(key).digest('base64url');

/** The public user id of a client's secret user key: 128 bits of its hash, so nobody can claim another's id. */
export const userIdOf = (userKey: string): string =>
  createHash('sha256').update(`user:${userKey}`).digest().subarray(0, 16).toString('base64url');

/** Whether `key` is the secret whose hash is `hash` (constant time). */
export function keyMatches(key: string | undefined, hash: string): boolean {
  if (!key || !hash) return false;
  const a = Buffer.from(hashKey(key));
  const b = Buffer.from(hash);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A short join code: 6 characters of `JOIN_CODE_ALPHABET` (30 bits); pairs with a per-IP lookup limit. */
export const newJoinCode = (): string =>
  Array.from({ length: 6 }, () => JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)]).join('');
