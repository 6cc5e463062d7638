/**
 * « Vos informations personnelles »: change of password (current one required), of secret question,
 * of e-mail (the new address is validated by a link before it replaces the old one).
 */
import { and, eq } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { auditBy } from '../../infra/audit.js';
import { hashSecret, verifySecret } from '../../infra/crypto.js';
import { users } from '../../infra/db/schema.js';
import { queueMail } from '../../infra/mail.js';
import { consumeRate } from '../../infra/throttle.js';
import { revokeAllSessions, revokeSession } from './sessions.js';
import { issueToken } from './tokens-repository.js';
import { publicUrl } from '../../shared/urls.js';
import { invalidField, type Outcome } from '../../shared/problem.js';

type User = typeof users.$inferSelect;
export type ChangeResult = Outcome;

const WRONG_CURRENT = 'Le mot de passe actuel est incorrect.';

async function checkCurrent(ctx: AppContext, user: User, current: string): Promise<ChangeResult | null> {
  const allowed = await ctx.db.transaction((tx) => consumeRate(tx, `current-pw:${user.id}`, ctx.clock.now(), 10, 900));
  if (!allowed) return invalidField('current', 'Trop de tentatives : réessayez dans 15 minutes.', 'trop_de_tentatives');
  if (!(await verifySecret(user.passwordHash, current))) return invalidField('current', WRONG_CURRENT, 'mot_de_passe_actuel_incorrect');
  return null;
}

type Meta = { ip?: string };
type WithCurrent<I> = I & { current: string };

/** Runs `apply` once the current password is checked (rate-limited); its answer, or { ok: true }. */
async function withCurrentPassword(
  ctx: AppContext,
  user: User,
  current: string,
  apply: () => Promise<ChangeResult | void>,
): Promise<ChangeResult> {
  return (await checkCurrent(ctx, user, current)) ?? (await apply()) ?? { ok: true };
}

export function changePassword(ctx: AppContext, user: User, sessionHash: string, input: WithCurrent<{ password: string }>, meta: Meta) {
  return withCurrentPassword(ctx, user, input.current, async () => {
    const hash = await hashSecret(input.password);
    await ctx.db.transaction(async (tx) => {
      await tx.update(users).set({ passwordHash: hash, updatedAt: ctx.clock.now() }).where(eq(users.id, user.id));
      // Other sessions end: whoever knew the old password is out.
      await revokeAllSessions(tx, ctx, user.id, sessionHash);
      await auditBy(tx, ctx.clock, user, meta.ip, 'password.changed');
    });
  });
}

export function changeSecretQuestion(
  ctx: AppContext,
  user: User,
  input: WithCurrent<{ secretQuestion: string; secretAnswer: string }>,
  meta: Meta,
) {
  return withCurrentPassword(ctx, user, input.current, async () => {
    const answerHash = await hashSecret(input.secretAnswer);
    await ctx.db.transaction(async (tx) => {
      await tx
        .update(users)
        .set({ secretQuestion: input.secretQuestion, secretAnswerHash: answerHash, updatedAt: ctx.clock.now() })
        .where(eq(users.id, user.id));
      await auditBy(tx, ctx.clock, user, meta.ip, 'secret_question.changed');
    });
  });
}

export function requestEmailChange(ctx: AppContext, user: User, input: WithCurrent<{ email: string }>, meta: Meta) {
  return withCurrentPassword(ctx, user, input.current, async () => {
    if (input.email.toLowerCase() === user.email.toLowerCase())
      return invalidField('email', 'C’est déjà votre adresse électronique.', 'meme_courriel');
    await ctx.db.transaction(async (tx) => {
      const token = await issueToken(tx, ctx, user.id, 'email_change', { email: input.email });
      await queueMail(tx, ctx.clock, {
        to: input.email,
        subject: 'Validation de votre adresse électronique',
        text: `Bonjour ${user.prenom} ${user.nom},\n\nPour utiliser cette adresse sur net-entreprises, validez-la en ouvrant ce lien (valable 48 heures, utilisable une seule fois) :\n\n${publicUrl(ctx, `/validation-courriel?jeton=${token}`)}\n\nTant qu’elle n’est pas validée, votre ancienne adresse reste utilisée.\n\nnet-entreprises`,
      });
      await queueMail(tx, ctx.clock, {
        to: user.email,
        subject: 'Changement d’adresse électronique demandé',
        text: `Bonjour ${user.prenom} ${user.nom},\n\nUn changement de l’adresse électronique de votre compte net-entreprises a été demandé. Il prendra effet quand la nouvelle adresse aura été validée. Si vous n’en êtes pas l’auteur, changez votre mot de passe.\n\nnet-entreprises`,
      });
      await auditBy(tx, ctx.clock, user, meta.ip, 'email.change_requested');
    });
  });
}

export async function logout(ctx: AppContext, user: User, sessionIdHash: string, meta: { ip?: string }): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await revokeSession(tx, ctx, sessionIdHash);
    await auditBy(tx, ctx.clock, user, meta.ip, 'logout');
  });
}

export async function logoutEverywhere(ctx: AppContext, user: User, meta: { ip?: string }): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await revokeAllSessions(tx, ctx, user.id);
    await auditBy(tx, ctx.clock, user, meta.ip, 'logout.all');
  });
}

export async function findActiveUserOfEspace(ctx: AppContext, espaceId: string, userId: string) {
  if (!/^[0-9a-f-]{36}$/.test(userId)) return null;
  const [u] = await ctx.db
    .select()
    .from(users)
    .where(and(eq(users.id, userId), eq(users.espaceId, espaceId)));
  return u ?? null;
}
