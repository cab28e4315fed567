// ULIDs name blocks as in Prometheus: 48-bit ms time + 80 random bits, Crockford base32.
import { randomBytes } from 'node:crypto';

const ALPHA = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function ulid(now = Date.now()): string {
  let s = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    s = ALPHA[t % 32] + s;
    t = Math.floor(t / 32);
  }
  const r = randomBytes(16);
  for (let i = 0; i < 16; i++) s += ALPHA[r[i]! % 32];
  return s;
}

export const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;
