import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';

/** 256-bit random token, URL-safe (tokens ≥ 128 bits from a CSPRNG: docs/regles.md#comptes, OWASP ASVS). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens are stored hashed: a database leak gives no usable link or session. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

export function hmac(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** argon2id, m = 19 MiB, t = 2, p = 1 (OWASP password storage cheat sheet minimum). */
const ARGON_OPTIONS = { algorithm: 2 as const, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashSecret(secret: string): Promise<string> {
  return argonHash(secret, ARGON_OPTIONS);
}

export async function verifySecret(hash: string | null | undefined, secret: string): Promise<boolean> {
  if (!hash) {
    // Same cost whether or not there is a hash to check: no timing hint that an account exists.
    await argonVerify(DUMMY_HASH ?? (DUMMY_HASH = await argonHash('dummy-password-12', ARGON_OPTIONS)), secret).catch(() => false);
    return false;
  }
  try {
    return await argonVerify(hash, secret);
  } catch {
    return false;
  }
}
let DUMMY_HASH: string | undefined;
