import { and, eq, gt, isNull } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { expiresAt, type TOKEN_LIFETIMES } from '../../domain/tokens.js';
import { newToken, sha256 } from '../../infra/crypto.js';
import type { Tx } from '../../infra/db/index.js';
import { tokens } from '../../infra/db/schema.js';

export type TokenKind = 'email_validation' | 'email_change' | 'password_reset' | 'admin_reset' | 'invitation';

const LIFETIME: Record<TokenKind, keyof typeof TOKEN_LIFETIMES> = {
  email_validation: 'emailValidation',
  email_change: 'emailValidation',
  invitation: 'emailValidation',
  password_reset: 'passwordResetLink',
  admin_reset: 'adminReset',
};

/** Issues a single-use token (stored hashed); earlier live tokens of the same kind are retired. */
export async function issueToken(
  tx: Tx,
  ctx: AppContext,
  userId: string,
  kind: TokenKind,
  payload: Record<string, unknown> = {},
  value = newToken(),
): Promise<string> {
  const now = ctx.clock.now();
  await tx
    .update(tokens)
    .set({ usedAt: now })
    .where(and(eq(tokens.userId, userId), eq(tokens.kind, kind), isNull(tokens.usedAt)));
  await tx
    .insert(tokens)
    .values({ kind, tokenHash: sha256(value), userId, payload, createdAt: now, expiresAt: expiresAt(now, LIFETIME[kind]) });
  return value;
}

/** Finds a live token without using it (to show a page before the POST that consumes it). */
export async function peekToken(tx: Tx, ctx: AppContext, value: string | undefined, kind: TokenKind) {
  if (!value || value.length > 100) return null;
  const [row] = await tx
    .select()
    .from(tokens)
    .where(and(eq(tokens.tokenHash, sha256(value)), eq(tokens.kind, kind), isNull(tokens.usedAt), gt(tokens.expiresAt, ctx.clock.now())));
  return row ?? null;
}

/** Uses a token atomically: two concurrent uses cannot both succeed. */
export async function consumeToken(tx: Tx, ctx: AppContext, value: string | undefined, kind: TokenKind) {
  if (!value || value.length > 100) return null;
  const now = ctx.clock.now();
  const [row] = await tx
    .update(tokens)
    .set({ usedAt: now })
    .where(and(eq(tokens.tokenHash, sha256(value)), eq(tokens.kind, kind), isNull(tokens.usedAt), gt(tokens.expiresAt, now)))
    .returning();
  return row ?? null;
}
