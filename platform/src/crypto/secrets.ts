import { createHmac, randomFillSync, randomInt, timingSafeEqual, createHash } from 'node:crypto';

/**
 * Keyed hash for secrets at rest (OTP codes, API keys, refresh tokens) and for
 * pseudonymous keys (email keys). HMAC with a server-side key: a stolen event
 * store alone does not allow offline guessing of 9-digit codes. `purpose`
 * separates domains so one hash can never stand in for another; the purposes
 * are in secret-hashes.ts, the only caller.
 */
export function keyedHash(key: Buffer, purpose: string, value: string): string {
  return createHmac('sha256', key).update(purpose).update('\0').update(value).digest('base64url');
}

/** Constant-time equality of two strings (hashes); unequal lengths compare a digest so timing stays flat. */
export function secretEquals(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    timingSafeEqual(createHash('sha256').update(ab).digest(), createHash('sha256').update(bb).digest());
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/**
 * Random bytes drawn from a pool refilled 4 KiB at a time, as node does for
 * randomUUID: one CSPRNG call per few hundred ids instead of one each (each
 * call cost about 2 µs of the event loop, several per login). Every byte is
 * handed out once.
 */
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomSlice(bytes: number): Buffer {
  if (bytes > POOL_SIZE) return randomFillSync(Buffer.alloc(bytes));
  if (poolOffset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return slice;
}

export const randomHex = (bytes: number): string => randomSlice(bytes).toString('hex');
export const randomToken = (bytes = 32): string => randomSlice(bytes).toString('base64url');

/** Uniform decimal code: randomInt rejects biased draws, unlike `random % 10`. */
export function randomDigits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}

/**
 * A UUID (version 7 layout) derived from a time and a name: the first 48 bits are the
 * time in milliseconds, the other 74 come from SHA-256 of the name. The same (time, name)
 * always gives the same id, so a retried command cannot write twice; and ids made later
 * sort later, so a store's unique index on them grows at its right edge instead of
 * touching a random page per insert (about 10 µs of each batched append, measured).
 */
export function uuidFromTimeAndName(at: Date, name: string): string {
  const h = createHash('sha256').update(name).digest();
  h.writeUIntBE(Math.max(0, Math.min(at.getTime(), 2 ** 48 - 1)), 0, 6);
  h[6] = (h[6]! & 0x0f) | 0x70; // version 7: time-ordered
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
