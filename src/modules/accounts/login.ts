import { and, eq, gt, isNull } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { LOGIN_LOCKOUT_POLICY } from '../../domain/tokens.js';
import { audit } from '../../infra/audit.js';
import { verifySecret } from '../../infra/crypto.js';
import { tokens } from '../../infra/db/schema.js';
import { clearFailures, isLocked, registerFailure } from '../../infra/throttle.js';
import { loginKey } from './login-key.js';
import { createSession } from './sessions.js';
import { findUserByTriplet } from './users-repository.js';

/**
 * One message whatever went wrong (unknown account, wrong password, locked, suspended):
 * OWASP ASVS v5 6.3 — no hint of which field was wrong or whether the account exists.
 */
export const GENERIC_LOGIN_ERROR =
  'Les informations saisies ne permettent pas de vous identifier. Vérifiez le SIRET, le nom, le prénom et le mot de passe. Après plusieurs échecs, l’accès est bloqué pendant 15 minutes.';

export type LoginResult =
  | { ok: true; sessionId: string; userId: string; mustChangeCredentials: boolean }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'email_pending'; userId: string }
  | { ok: false; reason: 'candidat' };

export async function login(
  ctx: AppContext,
  input: { siret: string; nom: string; prenom: string; password: string },
  meta: { ip?: string; userAgent?: string },
): Promise<LoginResult> {
  const now = ctx.clock.now();
  const key = `login:${input.siret}|${loginKey(input.nom, input.prenom)}`;
  const user = await findUserByTriplet(ctx.db, input.siret, input.nom, input.prenom);
  const locked = await isLocked(ctx.db, key, now);
  // The hash is always verified, even when locked or unknown: same time, same answer.
  const passwordOk = await verifySecret(user?.passwordHash, input.password);

  if (locked || !user || !passwordOk || user.status === 'suspended') {
    await ctx.db.transaction(async (tx) => {
      const nowLocked = locked ?? (!passwordOk ? await registerFailure(tx, key, now, LOGIN_LOCKOUT_POLICY) : null);
      await audit(tx, ctx.clock, {
        action: locked ? 'login.locked' : 'login.failure',
        actorUserId: user?.id ?? null,
        espaceId: user?.espaceId ?? null,
        ip: meta.ip,
        details: { siret: input.siret, lockedUntil: nowLocked?.toISOString() ?? null },
      });
    });
    return { ok: false, reason: 'invalid' };
  }

  if (user.status === 'email_pending') return { ok: false, reason: 'email_pending', userId: user.id };
  if (user.status === 'candidat') return { ok: false, reason: 'candidat' };

  if (user.mustChangeCredentials) {
    // A temporary password given by an administrator works only while its token lives (≤ 12 h).
    const [live] = await ctx.db
      .select({ id: tokens.id })
      .from(tokens)
      .where(and(eq(tokens.userId, user.id), eq(tokens.kind, 'admin_reset'), isNull(tokens.usedAt), gt(tokens.expiresAt, now)));
    if (!live) {
      await audit(ctx.db, ctx.clock, {
        action: 'login.failure',
        actorUserId: user.id,
        espaceId: user.espaceId,
        ip: meta.ip,
        details: { reason: 'temporary_expired' },
      });
      return { ok: false, reason: 'invalid' };
    }
  }

  const sessionId = await ctx.db.transaction(async (tx) => {
    await clearFailures(tx, key);
    const id = await createSession(tx, ctx, user.id, meta);
    await audit(tx, ctx.clock, { action: 'login.success', actorUserId: user.id, espaceId: user.espaceId, ip: meta.ip });
    return id;
  });
  return { ok: true, sessionId, userId: user.id, mustChangeCredentials: user.mustChangeCredentials };
}
