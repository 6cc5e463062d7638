/**
 * « Mot de passe oublié », the three ways of the guide. No answer reveals whether an account
 * exists (docs/regles.md#comptes): the secret question is never shown before the person is identified
 * (the page asks for the answer to the question chosen at the inscription), a wrong answer, an unknown
 * triplet and a locked question get the same refusal after the same argon2 verification; the two other
 * ways answer « si ces informations correspondent à un compte… » whatever the triplet.
 */
import { randomInt } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { SECRET_ANSWER_LOCKOUT_POLICY } from '../../domain/tokens.js';
import { audit, auditBy } from '../../infra/audit.js';
import { hashSecret, verifySecret } from '../../infra/crypto.js';
import type { Tx } from '../../infra/db/index.js';
import { demandes, tokens, users } from '../../infra/db/schema.js';
import { queueMail } from '../../infra/mail.js';
import { clearFailures, consumeRate, isLocked, registerFailure } from '../../infra/throttle.js';
import { openDemande } from './candidat.js';
import { loginKey } from './login-key.js';
import { createSession, revokeAllSessions } from './sessions.js';
import { consumeToken, issueToken } from './tokens-repository.js';
import { publicUrl } from '../../shared/urls.js';
import { findUserByTriplet } from './users-repository.js';

type User = typeof users.$inferSelect;
export interface Triplet {
  siret: string;
  nom: string;
  prenom: string;
}

const lockKey = (t: Triplet) => `secret:${t.siret}|${loginKey(t.nom, t.prenom)}`;

export type AnswerResult = { ok: true; resetToken: string } | { ok: false };

/**
 * Way 1: the answer to the secret question (case-sensitive). 5 wrong answers → 60 minutes (the guide),
 * counted per triplet typed, registered or not. Every refusal — unknown triplet, wrong answer, locked
 * question — is the same and costs the same: one argon2 verification, a dummy one without an account.
 */
export async function answerSecretQuestion(ctx: AppContext, t: Triplet, answer: string, meta: { ip?: string }): Promise<AnswerResult> {
  const now = ctx.clock.now();
  const key = lockKey(t);
  const user = await findUserByTriplet(ctx.db, t.siret, t.nom, t.prenom);
  const locked = await isLocked(ctx.db, key, now);
  const good = await verifySecret(user?.status === 'active' ? user.secretAnswerHash : null, answer);
  return ctx.db.transaction(async (tx) => {
    if (locked) {
      await audit(tx, ctx.clock, { action: 'secret_answer.locked', targetUserId: user?.id, ip: meta.ip, details: { siret: t.siret } });
      return { ok: false };
    }
    if (!good || !user) {
      await registerFailure(tx, key, now, SECRET_ANSWER_LOCKOUT_POLICY);
      await audit(tx, ctx.clock, { action: 'secret_answer.failure', targetUserId: user?.id, ip: meta.ip, details: { siret: t.siret } });
      return { ok: false };
    }
    await clearFailures(tx, key);
    const resetToken = await issueToken(tx, ctx, user.id, 'password_reset', { via: 'secret_question' });
    await auditBy(tx, ctx.clock, user, meta.ip, 'password.reset_requested', { details: { via: 'secret_question' } });
    return { ok: true, resetToken };
  });
}

/**
 * Ways 2 and 3 share their start: an unknown or inactive triplet is only audited (the answer is the same
 * for everyone); for an active account `carryOut` runs in the transaction and says whether it did
 * something, which is then audited.
 */
async function resetRequest(
  ctx: AppContext,
  t: Triplet,
  meta: { ip?: string },
  via: 'email' | 'administrateur',
  carryOut: (tx: Tx, user: User) => Promise<boolean>,
): Promise<void> {
  const user = await findUserByTriplet(ctx.db, t.siret, t.nom, t.prenom);
  await ctx.db.transaction(async (tx) => {
    if (!user || user.status !== 'active') {
      await audit(tx, ctx.clock, {
        action: 'password.reset_requested',
        ip: meta.ip,
        details: { siret: t.siret, known: false, via },
      });
      return;
    }
    if (await carryOut(tx, user)) await auditBy(tx, ctx.clock, user, meta.ip, 'password.reset_requested', { details: { via } });
  });
}

/** Way 2: a single-use link valid one hour, sent to the registered address. */
export function requestResetLink(ctx: AppContext, t: Triplet, meta: { ip?: string }): Promise<void> {
  return resetRequest(ctx, t, meta, 'email', async (tx, user) => {
    if (!(await consumeRate(tx, `reset-mail:${user.id}`, ctx.clock.now(), 3, 3600))) return false;
    const token = await issueToken(tx, ctx, user.id, 'password_reset', { via: 'email' });
    await queueMail(tx, ctx.clock, {
      to: user.email,
      subject: 'Réinitialisation de votre mot de passe',
      text: `Bonjour ${user.prenom} ${user.nom},\n\nVous avez demandé à réinitialiser votre mot de passe net-entreprises. Ouvrez ce lien dans l’heure (il ne sert qu’une fois) :\n\n${publicUrl(ctx, `/reinitialisation?jeton=${token}`)}\n\nSi vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.\n\nnet-entreprises`,
    });
    return true;
  });
}

/** Way 3, asked by the user: the request waits in the administrators' « Demande en attente ». */
export function askAdministratorReset(ctx: AppContext, t: Triplet, meta: { ip?: string }): Promise<void> {
  return resetRequest(ctx, t, meta, 'administrateur', async (tx, user) => {
    const [open] = await tx
      .select({ id: demandes.id })
      .from(demandes)
      .where(and(eq(demandes.userId, user.id), eq(demandes.kind, 'reinitialisation'), isNull(demandes.decidedAt)));
    if (open) return false;
    await openDemande(
      tx,
      ctx,
      user,
      'reinitialisation',
      'Demande en attente : réinitialisation de mot de passe',
      `${user.prenom} ${user.nom} demande la réinitialisation de son mot de passe. Traitez cette demande dans « Demande en attente ».`,
    );
    return true;
  });
}

/** A temporary password that satisfies the policy: 8 letters (mixed case) and 4 digits. */
export function temporaryPassword(): string {
  const letters = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
  let s = '';
  for (let i = 0; i < 8; i++) s += letters[randomInt(letters.length)];
  for (let i = 0; i < 4; i++) s += String(randomInt(10));
  return s;
}

export type AdminResetResult = 'done' | 'not_found';

/**
 * Way 3, done by an administrator of the same company (scoped): a temporary password by mail, valid
 * 12 hours; at the next login the user must choose a new password and secret question first.
 */
export async function adminResetPassword(
  ctx: AppContext,
  admin: User,
  targetUserId: string,
  meta: { ip?: string },
): Promise<AdminResetResult> {
  if (!/^[0-9a-f-]{36}$/.test(targetUserId) || targetUserId === admin.id) return 'not_found';
  const temp = temporaryPassword();
  const tempHash = await hashSecret(temp);
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const [target] = await tx
      .update(users)
      .set({ passwordHash: tempHash, mustChangeCredentials: true, updatedAt: now })
      .where(and(eq(users.id, targetUserId), eq(users.espaceId, admin.espaceId), eq(users.status, 'active')))
      .returning();
    if (!target) return 'not_found';
    await issueToken(tx, ctx, target.id, 'admin_reset');
    await revokeAllSessions(tx, ctx, target.id);
    await clearFailures(tx, `login:${target.siret}|${target.loginKey}`);
    await tx
      .update(demandes)
      .set({ decidedAt: now, decidedBy: admin.id, decision: 'accordee' })
      .where(and(eq(demandes.userId, target.id), eq(demandes.kind, 'reinitialisation'), isNull(demandes.decidedAt)));
    await queueMail(tx, ctx.clock, {
      to: target.email,
      subject: 'Votre mot de passe a été réinitialisé par votre administrateur',
      text: `Bonjour ${target.prenom} ${target.nom},\n\n${admin.prenom} ${admin.nom}, administrateur de votre entreprise, a réinitialisé votre mot de passe net-entreprises.\n\nMot de passe temporaire (valable 12 heures) : ${temp}\n\nConnectez-vous avec votre SIRET, vos nom et prénom et ce mot de passe : vous devrez aussitôt choisir un nouveau mot de passe et une nouvelle question secrète.\n\n${publicUrl(ctx, '/connexion')}\n\nnet-entreprises`,
    });
    await auditBy(tx, ctx.clock, admin, meta.ip, 'password.admin_reset', { targetUserId: target.id });
    return 'done';
  });
}

/**
 * Ends a reset (ways 1 and 2): new password, every other session closed, lockout cleared, and a new
 * session opened, in the same transaction: the person lands on the menu personnalisé (the guide).
 * Returns that session's id, or null when the token is no longer valid.
 */
export async function resetPassword(
  ctx: AppContext,
  token: string | undefined,
  newPassword: string,
  meta: { ip?: string; userAgent?: string },
): Promise<{ sessionId: string } | null> {
  const hash = await hashSecret(newPassword);
  return ctx.db.transaction(async (tx) => {
    const t = await consumeToken(tx, ctx, token, 'password_reset');
    if (!t) return null;
    const [user] = await tx
      .update(users)
      .set({ passwordHash: hash, mustChangeCredentials: false, updatedAt: ctx.clock.now() })
      .where(and(eq(users.id, t.userId), eq(users.status, 'active')))
      .returning();
    if (!user) return null;
    await revokeAllSessions(tx, ctx, user.id);
    await clearFailures(tx, `login:${user.siret}|${user.loginKey}`);
    await queueMail(tx, ctx.clock, {
      to: user.email,
      subject: 'Votre mot de passe a été modifié',
      text: `Bonjour ${user.prenom} ${user.nom},\n\nLe mot de passe de votre compte net-entreprises vient d’être modifié. Si vous n’êtes pas à l’origine de ce changement, contactez sans attendre l’administrateur de votre entreprise.\n\nnet-entreprises`,
    });
    await auditBy(tx, ctx.clock, user, meta.ip, 'password.reset');
    const sessionId = await createSession(tx, ctx, user.id, meta);
    await auditBy(tx, ctx.clock, user, meta.ip, 'login.success', { details: { after: 'password.reset' } });
    return { sessionId };
  });
}

/** After an administrator reset: new password and new secret question before anything else. */
export async function completeForcedChange(
  ctx: AppContext,
  user: User,
  input: { password: string; secretQuestion: string; secretAnswer: string },
  currentSessionHash: string,
  meta: { ip?: string },
): Promise<void> {
  const passwordHash = await hashSecret(input.password);
  const secretAnswerHash = await hashSecret(input.secretAnswer);
  await ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    await tx
      .update(users)
      .set({ passwordHash, secretQuestion: input.secretQuestion, secretAnswerHash, mustChangeCredentials: false, updatedAt: now })
      .where(eq(users.id, user.id));
    await tx
      .update(tokens)
      .set({ usedAt: now })
      .where(and(eq(tokens.userId, user.id), eq(tokens.kind, 'admin_reset'), isNull(tokens.usedAt)));
    await revokeAllSessions(tx, ctx, user.id, currentSessionHash);
    await auditBy(tx, ctx.clock, user, meta.ip, 'password.changed', { details: { forced: true } });
    await auditBy(tx, ctx.clock, user, meta.ip, 'secret_question.changed');
  });
}
