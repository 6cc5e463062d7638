/**
 * « Je me connecte »: SIRET, nom, prénom and password (docs/regles.md#comptes).
 *
 * Before the password is checked, the attempt is counted on three counters in one statement
 * (infra/throttle.ts, policies in domain/tokens.ts): the account from this address (the guide's lockout,
 * 5 per 15 minutes), this address over all accounts, and the account over all addresses (progressive
 * delays). An attempt over a limit is refused before any hash is compared, so parallel attempts can
 * never pass it; a success never lifts a block in force. The counters are keyed by what was typed, so an
 * unknown account is counted exactly like a real one.
 */
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { LOGIN_PER_ACCOUNT, LOGIN_PER_ACCOUNT_AND_ADDRESS, LOGIN_PER_ADDRESS } from '../../domain/tokens.js';
import { audit, auditBy } from '../../infra/audit.js';
import { verifySecret } from '../../infra/crypto.js';
import { tokens } from '../../infra/db/schema.js';
import { forgiveAttempt, settleSuccess, takeAttempts, type AttemptRequest } from '../../infra/throttle.js';
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
  /** too many attempts from this address, or on this account from everywhere: wait until `retryAt` */
  | { ok: false; reason: 'throttled'; retryAt: Date }
  | { ok: false; reason: 'email_pending'; userId: string }
  | { ok: false; reason: 'candidat' };

type Input = { siret: string; nom: string; prenom: string; password: string };
type Meta = { ip?: string; userAgent?: string };

/** The three counters of one attempt. */
function countersOf(input: Input, ip: string) {
  const account = `${input.siret}|${loginKey(input.nom, input.prenom)}`;
  const pair: AttemptRequest = { key: `login:compte-adresse:${account}|${ip}`, policy: LOGIN_PER_ACCOUNT_AND_ADDRESS };
  const address: AttemptRequest = { key: `login:adresse:${ip}`, policy: LOGIN_PER_ADDRESS };
  const everywhere: AttemptRequest = { key: `login:compte:${account}`, policy: LOGIN_PER_ACCOUNT };
  return { pair, address, everywhere };
}

export async function login(ctx: AppContext, input: Input, meta: Meta): Promise<LoginResult> {
  const now = ctx.clock.now();
  const counters = countersOf(input, meta.ip ?? 'inconnue');
  const gate = await takeAttempts(ctx.db, now, [counters.address, counters.everywhere, counters.pair]);
  const user = await findUserByTriplet(ctx.db, input.siret, input.nom, input.prenom);
  if (!gate.allowed) {
    const slowedDown = gate.refused.filter((r) => r.key !== counters.pair.key);
    await audit(ctx.db, ctx.clock, {
      action: 'login.locked',
      actorUserId: user?.id ?? null,
      espaceId: user?.espaceId ?? null,
      ip: meta.ip,
      details: { siret: input.siret, counters: gate.refused.map((r) => r.key.split(':')[1]) },
    });
    // The account's own lock answers like a wrong password (same page, same time); a rate limit says when to retry.
    if (slowedDown.length)
      return { ok: false, reason: 'throttled', retryAt: new Date(Math.max(...slowedDown.map((r) => r.retryAt.getTime()))) };
    await verifySecret(user?.passwordHash, input.password);
    return { ok: false, reason: 'invalid' };
  }
  // The hash is always verified, even for an unknown account: same time, same answer.
  const passwordOk = await verifySecret(user?.passwordHash, input.password);
  if (!user || !passwordOk || user.status === 'suspended') {
    await audit(ctx.db, ctx.clock, {
      action: 'login.failure',
      actorUserId: user?.id ?? null,
      espaceId: user?.espaceId ?? null,
      ip: meta.ip,
      details: { siret: input.siret },
    });
    return { ok: false, reason: 'invalid' };
  }
  if (user.status === 'email_pending') return { ok: false, reason: 'email_pending', userId: user.id };
  if (user.status === 'candidat') return { ok: false, reason: 'candidat' };
  if (user.mustChangeCredentials && !(await temporaryPasswordLive(ctx, user.id, now))) {
    await auditBy(ctx.db, ctx.clock, user, meta.ip, 'login.failure', { details: { reason: 'temporary_expired' } });
    return { ok: false, reason: 'invalid' };
  }
  const sessionId = await ctx.db.transaction(async (tx) => {
    await settleSuccess(tx, counters.pair.key, LOGIN_PER_ACCOUNT_AND_ADDRESS.max);
    await settleSuccess(tx, counters.everywhere.key, LOGIN_PER_ACCOUNT.max);
    await forgiveAttempt(tx, counters.address.key);
    const id = await createSession(tx, ctx, user.id, meta);
    await auditBy(tx, ctx.clock, user, meta.ip, 'login.success');
    return id;
  });
  return { ok: true, sessionId, userId: user.id, mustChangeCredentials: user.mustChangeCredentials };
}

/** A temporary password given by an administrator works only while its token lives (≤ 12 h). */
async function temporaryPasswordLive(ctx: AppContext, userId: string, now: Date): Promise<boolean> {
  const [live] = await ctx.db
    .select({ id: tokens.id })
    .from(tokens)
    .where(and(eq(tokens.userId, userId), eq(tokens.kind, 'admin_reset'), isNull(tokens.usedAt), gt(tokens.expiresAt, now)));
  return Boolean(live);
}
