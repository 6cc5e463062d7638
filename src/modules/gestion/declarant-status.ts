/**
 * « Gérer les déclarants »: suspend a person (their sessions end at once), reactivate, remove (their
 * habilitations go, with history rows; links already mailed stop working). An administrator never acts
 * on their own account, nor leaves the company without an active administrator
 * (docs/regles.md#comptes).
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { auditBy, type AuditAction } from '../../infra/audit.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import { habilitations, portefeuilleDeclarants, portefeuilles, tokens, users } from '../../infra/db/schema.js';
import { queueMail } from '../../infra/mail.js';
import { ProblemError, problem, type Outcome } from '../../shared/problem.js';
import { revokeAllSessions } from '../accounts/sessions.js';
import { notify } from '../notifications/notify.js';
import { personNotFound, personOrThrow } from './declarants.js';
import { withdrawRights } from './habilitations-rights.js';
import { inTransaction } from './outcome.js';
import type { User } from './scope.js';

type Meta = { ip?: string };

const refused = (message: string, code: string) => new ProblemError(problem('conflict', code, message));

/**
 * Locks the company's active administrators (so that two administrators suspending each other at
 * the same time cannot leave the company without one) and refuses to act on oneself or on the last
 * active administrator.
 */
async function guardAdministrators(tx: Tx, admin: User, target: User, verb: string): Promise<void> {
  if (target.id === admin.id) throw refused(`Vous ne pouvez pas ${verb} votre propre compte.`, 'propre_compte');
  const rows = await selectRows<{ id: string }>(
    tx,
    sql`select id from ${users} where espace_id = ${admin.espaceId} and role = 'administrateur' and status = 'active' order by id for update`,
  );
  const active = rows.map((r) => r.id);
  if (!active.includes(admin.id)) throw personNotFound();
  if (target.role === 'administrateur' && target.status === 'active' && active.filter((x) => x !== target.id).length === 0)
    throw refused(`Vous ne pouvez pas ${verb} le dernier administrateur actif de l’entreprise.`, 'dernier_administrateur');
}

const setStatus = (tx: Tx, ctx: AppContext, admin: User, p: User, status: User['status']) =>
  tx
    .update(users)
    .set({ status, updatedAt: ctx.clock.now() })
    .where(and(eq(users.id, p.id), eq(users.espaceId, admin.espaceId)));

const auditAction = (tx: Tx, ctx: AppContext, admin: User, p: User, action: AuditAction, meta: Meta, details?: Record<string, unknown>) =>
  auditBy(tx, ctx.clock, admin, meta.ip, action, { targetUserId: p.id, details });

export async function suspendDeclarant(ctx: AppContext, admin: User, id: string, meta: Meta): Promise<Outcome> {
  return inTransaction(ctx, async (tx) => {
    const p = await personOrThrow(tx, admin, id);
    await guardAdministrators(tx, admin, p, 'suspendre');
    if (p.status === 'suspended') throw refused(`${p.prenom} ${p.nom} est déjà suspendu.`, 'deja_suspendu');
    // Told before the status changes: notify() mails active people only.
    await notify(
      tx,
      ctx,
      [p.id],
      `Votre compte net-entreprises a été suspendu par ${admin.prenom} ${admin.nom}, administrateur de votre entreprise. Adressez-vous à lui pour le faire réactiver.`,
      { subject: 'Votre compte net-entreprises est suspendu' },
    );
    await setStatus(tx, ctx, admin, p, 'suspended');
    await revokeAllSessions(tx, ctx, p.id);
    await auditAction(tx, ctx, admin, p, 'declarant.suspended', meta);
    return { ok: true };
  });
}

export async function reactivateDeclarant(ctx: AppContext, admin: User, id: string, meta: Meta): Promise<Outcome> {
  return inTransaction(ctx, async (tx) => {
    const p = await personOrThrow(tx, admin, id);
    if (p.status !== 'suspended') throw refused(`${p.prenom} ${p.nom} n’est pas suspendu.`, 'non_suspendu');
    // A person suspended before accepting the invitation goes back to « Invitation envoyée ».
    await setStatus(tx, ctx, admin, p, p.passwordHash ? 'active' : 'email_pending');
    await auditAction(tx, ctx, admin, p, 'declarant.reactivated', meta);
    await notify(
      tx,
      ctx,
      [p.id],
      `Votre compte net-entreprises a été réactivé par ${admin.prenom} ${admin.nom}, administrateur de votre entreprise.`,
      { subject: 'Votre compte net-entreprises est réactivé' },
    );
    return { ok: true };
  });
}

export async function removeDeclarant(ctx: AppContext, admin: User, id: string, meta: Meta): Promise<Outcome> {
  return inTransaction(ctx, async (tx) => {
    const p = await personOrThrow(tx, admin, id);
    await guardAdministrators(tx, admin, p, 'supprimer');
    const now = ctx.clock.now();
    if (p.status === 'active')
      await queueMail(tx, ctx.clock, {
        to: p.email,
        subject: 'Votre compte net-entreprises est supprimé',
        text: `Bonjour ${p.prenom} ${p.nom},\n\n${admin.prenom} ${admin.nom}, administrateur de votre entreprise, a supprimé votre compte net-entreprises : vous ne pouvez plus vous connecter pour cette entreprise.\n\nnet-entreprises`,
      });
    await setStatus(tx, ctx, admin, p, 'removed');
    await revokeAllSessions(tx, ctx, p.id);
    // Links already mailed (invitation, e-mail change, reset) stop working.
    await tx
      .update(tokens)
      .set({ usedAt: now })
      .where(and(eq(tokens.userId, p.id), isNull(tokens.usedAt)));
    const removed = await withdrawRights(tx, admin, now, eq(habilitations.userId, p.id));
    const own = tx.select({ id: portefeuilles.id }).from(portefeuilles).where(eq(portefeuilles.espaceId, admin.espaceId));
    await tx
      .delete(portefeuilleDeclarants)
      .where(and(eq(portefeuilleDeclarants.userId, p.id), inArray(portefeuilleDeclarants.portefeuilleId, own)));
    await auditAction(tx, ctx, admin, p, 'declarant.removed', meta, { habilitations: removed });
    return { ok: true };
  });
}
