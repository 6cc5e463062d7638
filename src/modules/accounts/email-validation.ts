/**
 * « Validation de votre adresse électronique »: a single-use link; nothing is reachable before the
 * address is validated; the mail can be re-sent (rate-limited). The link opens a page whose button
 * POSTs the token: mail scanners that prefetch links do not validate anything. A first administrator
 * and a candidat AD get the same answer; the candidat is told by mail that the request went to the
 * administrators (docs/regles.md#comptes).
 */
import { and, eq, sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { audit, auditBy } from '../../infra/audit.js';
import type { Tx } from '../../infra/db/index.js';
import { tokens, users } from '../../infra/db/schema.js';
import { queueMail } from '../../infra/mail.js';
import { consumeRate } from '../../infra/throttle.js';
import { notifyCandidat } from './candidat.js';
import { mailCandidatTransmitted } from './inscription-mails.js';
import { sendInvitation } from './invitation-mail.js';
import { consumeToken, issueToken } from './tokens-repository.js';
import { publicUrl } from '../../shared/urls.js';

export async function sendEmailValidation(
  tx: Tx,
  ctx: AppContext,
  user: { id: string; email: string; prenom: string; nom: string },
): Promise<void> {
  const token = await issueToken(tx, ctx, user.id, 'email_validation');
  await queueMail(tx, ctx.clock, {
    to: user.email,
    subject: 'Validation de votre adresse électronique',
    text: [
      `Bonjour ${user.prenom} ${user.nom},`,
      '',
      'Pour finaliser votre inscription sur net-entreprises, validez votre adresse électronique en ouvrant le lien ci-dessous (valable 48 heures, utilisable une seule fois) :',
      '',
      publicUrl(ctx, `/validation-courriel?jeton=${token}`),
      '',
      'Si vous n’êtes pas à l’origine de cette inscription, ignorez ce message.',
      '',
      'net-entreprises',
    ].join('\n'),
  });
  await audit(tx, ctx.clock, { action: 'email.validation_sent', targetUserId: user.id });
}

export type ValidateResult = { ok: true; kind: 'active' | 'candidat' | 'email_changed' } | { ok: false };

export async function validateEmail(ctx: AppContext, token: string | undefined, meta: { ip?: string }): Promise<ValidateResult> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const validation = await consumeToken(tx, ctx, token, 'email_validation');
    if (validation) {
      const [user] = await tx.select().from(users).where(eq(users.id, validation.userId));
      if (!user || (user.status !== 'email_pending' && user.status !== 'candidat')) return { ok: false };
      if (user.status === 'email_pending') {
        await tx.update(users).set({ status: 'active', emailValidatedAt: now, updatedAt: now }).where(eq(users.id, user.id));
        await inviteInscriptionDeclarants(tx, ctx, user);
      } else {
        await tx.update(users).set({ emailValidatedAt: now, updatedAt: now }).where(eq(users.id, user.id));
        await notifyCandidat(tx, ctx, user);
        // the page answers as for a new company (no enumeration): the candidat learns it by mail
        await mailCandidatTransmitted(tx, ctx, user);
      }
      await auditBy(tx, ctx.clock, user, meta.ip, 'email.validated');
      return { ok: true, kind: user.status === 'candidat' ? 'candidat' : 'active' };
    }
    const change = await consumeToken(tx, ctx, token, 'email_change');
    if (change && typeof change.payload.email === 'string') {
      await tx.update(users).set({ email: change.payload.email, emailValidatedAt: now, updatedAt: now }).where(eq(users.id, change.userId));
      await audit(tx, ctx.clock, { action: 'email.validated', actorUserId: change.userId, ip: meta.ip, details: { change: true } });
      return { ok: true, kind: 'email_changed' };
    }
    return { ok: false };
  });
}

/**
 * The collaborators added under « Inscription des déclarants » wait, never invited, until the first
 * administrator's address is validated: then each gets the invitation of « Gérer les déclarants ».
 */
async function inviteInscriptionDeclarants(tx: Tx, ctx: AppContext, admin: typeof users.$inferSelect) {
  if (admin.role !== 'administrateur') return;
  const waiting = await tx
    .select()
    .from(users)
    .where(
      and(
        eq(users.espaceId, admin.espaceId),
        eq(users.role, 'declarant'),
        eq(users.status, 'email_pending'),
        sql`not exists (select 1 from ${tokens} where ${tokens.userId} = ${users.id})`,
      ),
    );
  for (const p of waiting) await sendInvitation(tx, ctx, admin, p);
}

/** Re-sends the validation mail of a person whose address is not validated yet (3 per hour). */
export async function resendEmailValidation(ctx: AppContext, userId: string): Promise<'sent' | 'too_many' | 'not_needed'> {
  return ctx.db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    if (!user || user.emailValidatedAt || (user.status !== 'email_pending' && user.status !== 'candidat')) return 'not_needed';
    if (!(await consumeRate(tx, `resend:${userId}`, ctx.clock.now(), 3, 3600))) return 'too_many';
    await sendEmailValidation(tx, ctx, user);
    return 'sent';
  });
}
