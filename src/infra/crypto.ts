import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
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

/**
 * Secrets the server must read back (the agents' TOTP seeds): AES-256-GCM with a random 96-bit nonce,
 * the key derived from configuration (`SECRETS_KEY`). Stored as `v1.<nonce>.<ciphertext>.<tag>`
 * (base64url); a wrong key or an altered value fails to decrypt (null), never reads as another secret.
 */
export function encryptSecret(key: string, plaintext: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', secretKey(key), nonce);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', nonce, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

export function decryptSecret(key: string, stored: string): string | null {
  const [version, nonce, body, tag] = stored.split('.');
  if (version !== 'v1' || nonce === undefined || body === undefined || tag === undefined) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', secretKey(key), Buffer.from(nonce, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

const secretKey = (key: string) => createHash('sha256').update(`soltea:secrets:${key}`).digest();
