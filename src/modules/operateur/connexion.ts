/**
 * An agent's login (docs/regles.md#operateur): the password, then the second factor.
 *
 * - Password: counted before it is checked on three counters in one statement, with the policies of the
 *   users' login (infra/throttle.ts, domain/tokens.ts): the account from this address (5 per 15 min),
 *   the address (30 per 15 min), the account from everywhere (progressive delays). One message whatever
 *   went wrong; the hash is verified even for an unknown courriel.
 * - Second factor: a TOTP code (totp.ts). Each try is counted first (5 per 15 minutes per agent); a
 *   code's step (from the devices' time: infra/clock.ts `deviceTime`) must be later than the last accepted one, in the same statement that records it, so a
 *   code is never accepted twice, even by two concurrent requests. At the first login the agent enrols:
 *   a secret is drawn, stored encrypted (infra/crypto.ts), shown as a QR code, and confirmed by a code.
 * Passing the second factor replaces the session by a complete one (a new id).
 */
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { LOGIN_PER_ACCOUNT, LOGIN_PER_ACCOUNT_AND_ADDRESS, LOGIN_PER_ADDRESS, type AttemptPolicy } from '../../domain/tokens.js';
import { audit } from '../../infra/audit.js';
import { deviceTime } from '../../infra/clock.js';
import { decryptSecret, encryptSecret, verifySecret } from '../../infra/crypto.js';
import { agents } from '../../infra/db/schema-versements.js';
import { forgiveAttempt, settleSuccess, takeAttempts, type AttemptRequest } from '../../infra/throttle.js';
import { findAgentByEmail, normalizeEmail, type AgentRow } from './agents.js';
import { createAgentSession, revokeAgentSession, type AgentAuthState } from './sessions.js';
import { matchingStep, newTotpSecret } from './totp.js';

export const GENERIC_AGENT_LOGIN_ERROR =
  'Le courriel ou le mot de passe est incorrect. Après plusieurs échecs, l’accès est bloqué pendant 15 minutes.';
export const WRONG_CODE = 'Le code est incorrect ou a déjà servi. Saisissez le code à 6 chiffres affiché maintenant par votre application.';
/** wrong second-factor codes: 5 per 15 minutes per agent */
export const AGENT_CODE_POLICY: Readonly<AttemptPolicy> = { kind: 'fixed', max: 5, windowSeconds: 15 * 60 };

type Meta = { ip?: string; userAgent?: string };

export type PasswordStepResult =
  { ok: true; sessionId: string; enrolled: boolean } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'throttled'; retryAt: Date };

function countersOf(courriel: string, ip: string) {
  const pair: AttemptRequest = { key: `operateur:compte-adresse:${courriel}|${ip}`, policy: LOGIN_PER_ACCOUNT_AND_ADDRESS };
  const address: AttemptRequest = { key: `operateur:adresse:${ip}`, policy: LOGIN_PER_ADDRESS };
  const everywhere: AttemptRequest = { key: `operateur:compte:${courriel}`, policy: LOGIN_PER_ACCOUNT };
  return { pair, address, everywhere };
}

/** Step 1: the courriel and the password; a session that only opens the second factor. */
export async function agentPasswordStep(
  ctx: AppContext,
  input: { courriel: string; password: string },
  meta: Meta,
): Promise<PasswordStepResult> {
  const courriel = normalizeEmail(input.courriel);
  const counters = countersOf(courriel, meta.ip ?? 'inconnue');
  const gate = await takeAttempts(ctx.db, ctx.clock.now(), [counters.address, counters.everywhere, counters.pair]);
  const agent = await findAgentByEmail(ctx.db, courriel);
  if (!gate.allowed) {
    await audit(ctx.db, ctx.clock, {
      action: 'operateur.connexion_bloquee',
      actorAgentId: agent?.id ?? null,
      ip: meta.ip,
      details: { courriel },
    });
    const slowedDown = gate.refused.filter((r) => r.key !== counters.pair.key);
    if (slowedDown.length)
      return { ok: false, reason: 'throttled', retryAt: new Date(Math.max(...slowedDown.map((r) => r.retryAt.getTime()))) };
    await verifySecret(agent?.passwordHash, input.password);
    return { ok: false, reason: 'invalid' };
  }
  const passwordOk = await verifySecret(agent?.passwordHash, input.password);
  if (!agent || !passwordOk || agent.statut !== 'actif') {
    await audit(ctx.db, ctx.clock, {
      action: 'operateur.connexion_echec',
      actorAgentId: agent?.id ?? null,
      ip: meta.ip,
      details: { courriel },
    });
    return { ok: false, reason: 'invalid' };
  }
  const sessionId = await ctx.db.transaction(async (tx) => {
    await settleSuccess(tx, counters.pair.key, LOGIN_PER_ACCOUNT_AND_ADDRESS.max);
    await settleSuccess(tx, counters.everywhere.key, LOGIN_PER_ACCOUNT.max);
    await forgiveAttempt(tx, counters.address.key);
    await audit(tx, ctx.clock, { action: 'operateur.mot_de_passe_verifie', actorAgentId: agent.id, ip: meta.ip });
    return createAgentSession(tx, ctx, agent.id, 'mot_de_passe', meta);
  });
  return { ok: true, sessionId, enrolled: agent.totpConfirmedAt !== null };
}

/** The agent's TOTP secret in clear (null when none, or when it cannot be decrypted with this key). */
export function agentSecret(ctx: AppContext, agent: Pick<AgentRow, 'totpSecret'>): string | null {
  return agent.totpSecret ? decryptSecret(ctx.config.secretsKey, agent.totpSecret) : null;
}

/**
 * The secret an enrolling agent is shown: drawn and stored (encrypted) the first time, the same one on
 * every reload until the agent confirms it. Null for an agent already enrolled.
 */
export async function enrolmentSecret(ctx: AppContext, agent: AgentRow): Promise<string | null> {
  if (agent.totpConfirmedAt) return null;
  const existing = agentSecret(ctx, agent);
  if (existing) return existing;
  const secret = newTotpSecret();
  const [row] = await ctx.db
    .update(agents)
    .set({ totpSecret: encryptSecret(ctx.config.secretsKey, secret), totpLastStep: null })
    .where(and(eq(agents.id, agent.id), isNull(agents.totpConfirmedAt)))
    .returning({ totpSecret: agents.totpSecret });
  return row?.totpSecret ? decryptSecret(ctx.config.secretsKey, row.totpSecret) : null;
}

export type CodeStepResult =
  { ok: true; sessionId: string } | { ok: false; reason: 'invalid' | 'not_pending' } | { ok: false; reason: 'throttled'; retryAt: Date };

/**
 * Step 2 (or the enrolment's confirmation): the code of the agent's secret. On success the pending
 * session is revoked and a complete one created; the enrolment is confirmed.
 */
export async function agentCodeStep(ctx: AppContext, state: AgentAuthState, code: string, meta: Meta): Promise<CodeStepResult> {
  if (state.stage !== 'mot_de_passe') return { ok: false, reason: 'not_pending' };
  const agent = state.agent;
  const now = ctx.clock.now();
  const key = `operateur:code:${agent.id}`;
  const gate = await takeAttempts(ctx.db, now, [{ key, policy: AGENT_CODE_POLICY }]);
  if (!gate.allowed) {
    await audit(ctx.db, ctx.clock, { action: 'operateur.code_bloque', actorAgentId: agent.id, ip: meta.ip });
    return { ok: false, reason: 'throttled', retryAt: gate.refused[0]!.retryAt };
  }
  const secret = agentSecret(ctx, agent);
  const step = secret ? matchingStep(secret, code, deviceTime(ctx.clock)) : null;
  const enrolling = agent.totpConfirmedAt === null;
  const sessionId =
    step === null
      ? null
      : await ctx.db.transaction(async (tx) => {
          // the step is recorded only if it is later than the last one accepted: never the same code twice
          const [taken] = await tx
            .update(agents)
            .set({ totpLastStep: step, lastLoginAt: now, ...(enrolling ? { totpConfirmedAt: now } : {}) })
            .where(and(eq(agents.id, agent.id), or(isNull(agents.totpLastStep), lt(agents.totpLastStep, step))))
            .returning({ id: agents.id });
          if (!taken) return null;
          await settleSuccess(tx, key, AGENT_CODE_POLICY.max);
          await revokeAgentSession(tx, ctx, state.session.idHash);
          if (enrolling) await audit(tx, ctx.clock, { action: 'operateur.totp_enrole', actorAgentId: agent.id, ip: meta.ip });
          await audit(tx, ctx.clock, { action: 'operateur.connexion', actorAgentId: agent.id, ip: meta.ip });
          return createAgentSession(tx, ctx, agent.id, 'complete', meta);
        });
  if (!sessionId) {
    await audit(ctx.db, ctx.clock, {
      action: 'operateur.code_refuse',
      actorAgentId: agent.id,
      ip: meta.ip,
      details: { enrolement: enrolling },
    });
    return { ok: false, reason: 'invalid' };
  }
  return { ok: true, sessionId };
}

/** « Se déconnecter ». */
export async function agentLogout(ctx: AppContext, state: AgentAuthState, meta: Meta): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await revokeAgentSession(tx, ctx, state.session.idHash);
    await audit(tx, ctx.clock, { action: 'operateur.deconnexion', actorAgentId: state.agent.id, ip: meta.ip });
  });
}
