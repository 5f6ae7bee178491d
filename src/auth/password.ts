import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * RabbitMQ's default password hash (rabbit_password_hashing_sha256): base64 of a
 * 4-byte random salt followed by SHA-256(salt ++ UTF-8 password). Using the same
 * format lets definitions exported from RabbitMQ import with working logins.
 */
export function hashPassword(password: string, salt: Buffer = randomBytes(4)): string {
  const digest = createHash('sha256').update(salt).update(password, 'utf8').digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

export function checkPassword(password: string, passwordHash: string): boolean {
  const stored = Buffer.from(passwordHash, 'base64');
  if (stored.length !== 4 + 32) return false;
  const expected = Buffer.from(hashPassword(password, stored.subarray(0, 4)), 'base64');
  return timingSafeEqual(stored, expected);
}
