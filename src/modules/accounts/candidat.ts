/**
 * Candidat AD (the guide's inscription): a second person registering on a company that has an administrator
 * waits for one of its administrators; all are mailed; one grants or refuses under « Demande en attente ».
 * Also holds the « demander à l'administrateur » password resets (§3.6), which wait in the same list.
 */
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { auditBy } from '../../infra/audit.js';
import type { Tx } from '../../infra/db/index.js';
import { demandes, notifications, users } from '../../infra/db/schema.js';
import { queueMail } from '../../infra/mail.js';
import { listAdministrators } from './users-repository.js';
import { publicUrl } from '../../shared/urls.js';

type User = typeof users.$inferSelect;

async function notifyAdministrators(tx: Tx, ctx: AppContext, espaceId: string, subject: string, body: string): Promise<void> {
  const admins = await listAdministrators(tx, espaceId);
  const now = ctx.clock.now();
  for (const a of admins) {
    await queueMail(tx, ctx.clock, {
      to: a.email,
      subject,
      text: `Bonjour ${a.prenom} ${a.nom},\n\n${body}\n\n${publicUrl(ctx, '/menu/demandes')}\n\nnet-entreprises`,
    });
    await tx.insert(notifications).values({ userId: a.id, at: now, text: body });
  }
}

/**
 * A request of `user` that waits in the administrators' « Demande en attente » (a candidat AD, a password
 * reset): recorded, and every administrator of the company is mailed and notified.
 */
export async function openDemande(
  tx: Tx,
  ctx: AppContext,
  user: User,
  kind: 'candidat_ad' | 'reinitialisation',
  subject: string,
  body: string,
): Promise<void> {
  await tx.insert(demandes).values({ espaceId: user.espaceId, kind, userId: user.id, createdAt: ctx.clock.now() });
  await notifyAdministrators(tx, ctx, user.espaceId, subject, body);
}

/** Called once the candidat has validated their e-mail address. */
export async function notifyCandidat(tx: Tx, ctx: AppContext, candidat: User): Promise<void> {
  await openDemande(
    tx,
    ctx,
    candidat,
    'candidat_ad',
    'Demande en attente : nouvel administrateur',
    `${candidat.prenom} ${candidat.nom} (${candidat.email}) demande à devenir administrateur de votre entreprise sur net-entreprises. Accordez ou refusez cette demande dans « Demande en attente ».`,
  );
}

export async function listPendingDemandes(ctx: AppContext, espaceId: string) {
  return ctx.db
    .select({
      id: demandes.id,
      kind: demandes.kind,
      createdAt: demandes.createdAt,
      nom: users.nom,
      prenom: users.prenom,
      email: users.email,
      siret: users.siret,
    })
    .from(demandes)
    .innerJoin(users, eq(users.id, demandes.userId))
    .where(and(eq(demandes.espaceId, espaceId), isNull(demandes.decidedAt)))
    .orderBy(desc(demandes.createdAt));
}

export type DecideResult = 'granted' | 'refused' | 'not_found';

/** Grant or refuse a candidat AD. Scoped to the deciding administrator's espace. */
export async function decideCandidat(
  ctx: AppContext,
  admin: User,
  demandeId: string,
  grant: boolean,
  meta: { ip?: string },
): Promise<DecideResult> {
  if (!/^[0-9a-f-]{36}$/.test(demandeId)) return 'not_found';
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const [d] = await tx
      .update(demandes)
      .set({ decidedAt: now, decidedBy: admin.id, decision: grant ? 'accordee' : 'refusee' })
      .where(
        and(
          eq(demandes.id, demandeId),
          eq(demandes.espaceId, admin.espaceId),
          eq(demandes.kind, 'candidat_ad'),
          isNull(demandes.decidedAt),
        ),
      )
      .returning();
    if (!d) return 'not_found';
    const [candidat] = await tx
      .update(users)
      .set({ status: grant ? 'active' : 'refused', updatedAt: now })
      .where(and(eq(users.id, d.userId), eq(users.espaceId, admin.espaceId), eq(users.status, 'candidat')))
      .returning();
    if (!candidat) return 'not_found';
    await auditBy(tx, ctx.clock, admin, meta.ip, grant ? 'candidat.granted' : 'candidat.refused', { targetUserId: candidat.id });
    await queueMail(tx, ctx.clock, {
      to: candidat.email,
      subject: grant ? 'Votre demande d’administration est acceptée' : 'Votre demande d’administration est refusée',
      text: grant
        ? `Bonjour ${candidat.prenom} ${candidat.nom},\n\n${admin.prenom} ${admin.nom} a accepté votre demande : vous êtes désormais administrateur de votre entreprise sur net-entreprises. Connectez-vous avec votre SIRET, vos nom, prénom et mot de passe.\n\n${publicUrl(ctx, '/connexion')}\n\nnet-entreprises`
        : `Bonjour ${candidat.prenom} ${candidat.nom},\n\nL’administrateur de votre entreprise a refusé votre demande d’accès à net-entreprises. Rapprochez-vous de lui pour en connaître la raison.\n\nnet-entreprises`,
    });
    return grant ? 'granted' : 'refused';
  });
}

/**
 * « Réinitialiser » on a pending request of « Envoyez une demande de génération de mot de passe à votre
 * administrateur »: the person of the request, if it is pending and of the administrator's espace.
 */
export async function pendingResetRequester(ctx: AppContext, espaceId: string, demandeId: string): Promise<string | null> {
  if (!/^[0-9a-f-]{36}$/.test(demandeId)) return null;
  const [d] = await ctx.db
    .select({ userId: demandes.userId })
    .from(demandes)
    .where(
      and(eq(demandes.id, demandeId), eq(demandes.espaceId, espaceId), eq(demandes.kind, 'reinitialisation'), isNull(demandes.decidedAt)),
    );
  return d?.userId ?? null;
}
