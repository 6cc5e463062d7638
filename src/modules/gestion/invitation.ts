/**
 * The invitation of a new déclarant (« Gérer les déclarants »): a mail with a link valid 48 hours, used
 * once, where the person chooses a password and a secret question and becomes active.
 */
import { and, eq } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { auditBy } from '../../infra/audit.js';
import { hashSecret } from '../../infra/crypto.js';
import { users } from '../../infra/db/schema.js';
import { consumeToken, peekToken } from '../accounts/tokens-repository.js';
import { listAdministrators } from '../accounts/users-repository.js';
import { notify } from '../notifications/notify.js';

export { INVITATION_SUBJECT, sendInvitation } from '../accounts/invitation-mail.js';

/** The invited person behind a live invitation link (to show the page and apply the password rules). */
export async function invitedPerson(ctx: AppContext, token: string | undefined) {
  const t = await peekToken(ctx.db, ctx, token, 'invitation');
  if (!t) return null;
  const [u] = await ctx.db
    .select()
    .from(users)
    .where(and(eq(users.id, t.userId), eq(users.status, 'email_pending')));
  return u ?? null;
}

/** « Choisissez votre mot de passe »: consumes the invitation; the person becomes active. False when the link is no longer valid. */
export async function acceptInvitation(
  ctx: AppContext,
  token: string | undefined,
  input: { password: string; secretQuestion: string; secretAnswer: string },
  meta: { ip?: string },
): Promise<boolean> {
  const [passwordHash, secretAnswerHash] = await Promise.all([hashSecret(input.password), hashSecret(input.secretAnswer)]);
  return ctx.db.transaction(async (tx) => {
    const t = await consumeToken(tx, ctx, token, 'invitation');
    if (!t) return false;
    const now = ctx.clock.now();
    const [u] = await tx
      .update(users)
      .set({
        passwordHash,
        secretQuestion: input.secretQuestion,
        secretAnswerHash,
        status: 'active',
        emailValidatedAt: now,
        mustChangeCredentials: false,
        updatedAt: now,
      })
      .where(and(eq(users.id, t.userId), eq(users.status, 'email_pending')))
      .returning();
    if (!u) return false;
    await auditBy(tx, ctx.clock, u, meta.ip, 'invitation.accepted');
    const admins = await listAdministrators(tx, u.espaceId);
    await notify(
      tx,
      ctx,
      admins.map((a) => a.id),
      `${u.prenom} ${u.nom} a accepté son invitation : son compte de déclarant est actif.`,
    );
    return true;
  });
}
