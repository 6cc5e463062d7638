/**
 * The mandate a tiers-déclarant holds from a client company (docs/regles.md#tiers-declarants).
 *
 * When a tiers-déclarant adds a company to one of its portefeuilles, the company is asked for a mandate:
 * its administrators are mailed and decide under « Demande en attente » (« Accepter » / « Refuser »),
 * and may revoke an accepted mandate later. Only an accepted, unrevoked mandate opens the company's
 * establishment space to the tiers (espace-etablissement/access.ts). A company without an espace has no
 * one to decide: its mandate stays pending, kept by SIREN, so the company finds it once it registers.
 * The tiers ends the mandate by removing the company from its portefeuille (« retiré »).
 *
 * Every decision is audited and mailed to the tiers-déclarant's administrators, in the transaction of
 * the change. Every query is scoped: a decision by the SIREN of the deciding administrator's espace, a
 * request and a withdrawal by the tiers' espace. Another company's mandate answers « introuvable ».
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { formatSiren } from '../../domain/identifiers.js';
import { auditBy, type AuditAction } from '../../infra/audit.js';
import { selectRows, type Db, type Tx } from '../../infra/db/index.js';
import { espaces, mandats, notifications, type users } from '../../infra/db/schema.js';
import { queueMail } from '../../infra/mail.js';
import { formatDate } from '../../shared/format.js';
import { failure, type Outcome } from '../../shared/problem.js';
import { publicUrl } from '../../shared/urls.js';
import { listAdministrators } from './users-repository.js';

type User = typeof users.$inferSelect;
type Meta = { ip?: string };

export type MandatStatut = 'en_attente' | 'accepte' | 'refuse' | 'revoque' | 'retire';
/** A mandate that is still running: pending, or accepted and not revoked. */
const EN_COURS: MandatStatut[] = ['en_attente', 'accepte'];

export const MANDAT_LABELS: Record<MandatStatut, string> = {
  en_attente: 'Mandat en attente',
  accepte: 'Mandat accepté',
  refuse: 'Mandat refusé',
  revoque: 'Mandat révoqué',
  retire: 'Mandat retiré',
};

export const REQUEST_SUBJECT = 'Demande en attente : mandat d’un tiers déclarant';

/** A company by SIREN: its name and its espace on the portal, if any. */
async function companyOf(tx: Db | Tx, siren: string) {
  const [c] = await selectRows<{ raisonSociale: string; espaceId: string | null }>(
    tx,
    sql`select e.raison_sociale as "raisonSociale", s.id as "espaceId"
        from entreprises e left join espaces s on s.siren = e.siren where e.siren = ${siren}`,
  );
  return c ?? { raisonSociale: siren, espaceId: null };
}

/** The tiers-déclarant of an espace: its SIREN and name. */
async function tiersOf(tx: Db | Tx, espaceId: string) {
  const [t] = await selectRows<{ siren: string; raisonSociale: string }>(
    tx,
    sql`select s.siren, e.raison_sociale as "raisonSociale" from espaces s join entreprises e on e.siren = s.siren where s.id = ${espaceId}`,
  );
  return t ?? { siren: '', raisonSociale: '' };
}

/** A mail and a tableau de bord line to each active administrator of `espaceId` (none when it has no espace). */
async function tellAdministrators(tx: Tx, ctx: AppContext, espaceId: string | null, m: { subject: string; text: string; path: string }) {
  if (!espaceId) return;
  const now = ctx.clock.now();
  for (const a of await listAdministrators(tx, espaceId)) {
    await queueMail(tx, ctx.clock, {
      to: a.email,
      subject: m.subject,
      text: `Bonjour ${a.prenom} ${a.nom},\n\n${m.text}\n\n${publicUrl(ctx, m.path)}\n\nnet-entreprises`,
    });
    await tx.insert(notifications).values({ userId: a.id, at: now, text: m.text });
  }
}

// ── the tiers-déclarant's side (called by gestion, in its transaction) ───────────────────────────

/**
 * Asks company `siren` for a mandate when tiers `tiers` adds it to a portefeuille (in the caller's
 * transaction). A mandate still running (pending or accepted) is kept as it is; otherwise a new
 * request is made, audited, and the company's administrators are told.
 */
export async function requestMandat(
  tx: Tx,
  ctx: AppContext,
  tiers: User,
  siren: string,
  meta: Meta = {},
): Promise<{ id: string; statut: MandatStatut }> {
  const [running] = await tx
    .select({ id: mandats.id, statut: mandats.statut })
    .from(mandats)
    .where(and(eq(mandats.tiersEspaceId, tiers.espaceId), eq(mandats.siren, siren), inArray(mandats.statut, EN_COURS)));
  if (running) return { id: running.id, statut: running.statut as MandatStatut };
  const now = ctx.clock.now();
  const [m] = await tx
    .insert(mandats)
    .values({ tiersEspaceId: tiers.espaceId, siren, statut: 'en_attente', requestedAt: now, requestedBy: tiers.id })
    .returning({ id: mandats.id });
  await auditBy(tx, ctx.clock, tiers, meta.ip, 'mandat.requested', { details: { mandatId: m!.id, siren } });
  const t = await tiersOf(tx, tiers.espaceId);
  const company = await companyOf(tx, siren);
  await tellAdministrators(tx, ctx, company.espaceId, {
    subject: REQUEST_SUBJECT,
    text:
      `Un tiers déclarant, ${t.raisonSociale} (SIREN ${formatSiren(t.siren)}), a ajouté votre entreprise à son portefeuille le ${formatDate(now)} (demande de ${tiers.prenom} ${tiers.nom}). ` +
      `Tant que vous n’avez pas accepté ce mandat, il ne peut ni ouvrir l’espace « SOLTéA - Etablissements » de vos établissements, ni demander le code de leurs coordonnées bancaires. ` +
      `Acceptez-le ou refusez-le dans « Demande en attente » ; un mandat accepté peut être révoqué à tout moment. Si vous ne connaissez pas ce tiers déclarant, refusez.`,
    path: '/menu/demandes',
  });
  return { id: m!.id, statut: 'en_attente' };
}

/** The tiers removes company `siren` from its portefeuilles: its running mandate ends (« retiré »), the company is told. */
export async function withdrawMandat(tx: Tx, ctx: AppContext, tiers: User, siren: string, meta: Meta = {}): Promise<void> {
  const now = ctx.clock.now();
  const ended = await tx
    .update(mandats)
    .set({ statut: 'retire', endedAt: now, endedBy: tiers.id })
    .where(and(eq(mandats.tiersEspaceId, tiers.espaceId), eq(mandats.siren, siren), inArray(mandats.statut, EN_COURS)))
    .returning({ id: mandats.id });
  if (ended.length === 0) return;
  await auditBy(tx, ctx.clock, tiers, meta.ip, 'mandat.withdrawn', { details: { mandatId: ended[0]!.id, siren } });
  const t = await tiersOf(tx, tiers.espaceId);
  await tellAdministrators(tx, ctx, (await companyOf(tx, siren)).espaceId, {
    subject: 'Fin du mandat d’un tiers déclarant',
    text: `Le tiers déclarant ${t.raisonSociale} (SIREN ${formatSiren(t.siren)}) a retiré votre entreprise de son portefeuille : son mandat a pris fin le ${formatDate(now)}.`,
    path: '/menu/demandes',
  });
}

/** The companies among `sirens` on which the tiers of `tiersEspaceId` holds an accepted, unrevoked mandate. */
export async function acceptedMandatSirens(db: Db | Tx, tiersEspaceId: string, sirens: readonly string[]): Promise<Set<string>> {
  if (sirens.length === 0) return new Set();
  const rows = await db
    .select({ siren: mandats.siren })
    .from(mandats)
    .where(and(eq(mandats.tiersEspaceId, tiersEspaceId), inArray(mandats.siren, [...new Set(sirens)]), eq(mandats.statut, 'accepte')));
  return new Set(rows.map((r) => r.siren));
}

// ── the company's side: « Demande en attente » ──────────────────────────────────────────────────

export interface MandatView {
  id: string;
  statut: MandatStatut;
  tiersNom: string;
  tiersSiren: string;
  tiersSiret: string;
  demandePar: string | null;
  requestedAt: Date;
  decidedAt: Date | null;
}

/** The mandates asked of the administrator's company that are still running (pending first, then accepted). */
export async function listMandats(ctx: AppContext, espaceId: string): Promise<MandatView[]> {
  const rows = await selectRows<
    Omit<MandatView, 'requestedAt' | 'decidedAt'> & { requestedAt: string | Date; decidedAt: string | Date | null }
  >(
    ctx.db,
    sql`select m.id, m.statut, e.raison_sociale as "tiersNom", s.siren as "tiersSiren", s.siret as "tiersSiret",
          (select u.prenom || ' ' || u.nom from users u where u.id = m.requested_by) as "demandePar",
          m.requested_at as "requestedAt", m.decided_at as "decidedAt"
        from mandats m
        join espaces s on s.id = m.tiers_espace_id
        join entreprises e on e.siren = s.siren
        where m.siren = (select own.siren from espaces own where own.id = ${espaceId})
          and m.statut in ('en_attente', 'accepte')
        order by (m.statut = 'accepte'), m.requested_at desc, m.id`,
  );
  return rows.map((r) => ({ ...r, requestedAt: new Date(r.requestedAt), decidedAt: r.decidedAt ? new Date(r.decidedAt) : null }));
}

export type MandatDecision = 'accepter' | 'refuser' | 'revoquer';

const DECISIONS: Record<MandatDecision, { from: MandatStatut; to: MandatStatut; action: AuditAction; word: string }> = {
  accepter: { from: 'en_attente', to: 'accepte', action: 'mandat.accepted', word: 'accepté' },
  refuser: { from: 'en_attente', to: 'refuse', action: 'mandat.refused', word: 'refusé' },
  revoquer: { from: 'accepte', to: 'revoque', action: 'mandat.revoked', word: 'révoqué' },
};

export const MANDAT_NOT_FOUND = 'Ce mandat est introuvable ou a déjà été traité.';

/**
 * An administrator of the company accepts or refuses a pending mandate, or revokes an accepted one.
 * Scoped to the SIREN of the administrator's espace: another company's mandate, one already decided,
 * or a malformed id answers « introuvable ». Audited; the tiers' administrators are mailed.
 */
export async function decideMandat(
  ctx: AppContext,
  admin: User,
  id: string,
  decision: MandatDecision,
  meta: Meta = {},
): Promise<Outcome<{ statut: MandatStatut }>> {
  if (admin.role !== 'administrateur' || admin.status !== 'active')
    return failure('forbidden', 'reserve_aux_administrateurs', 'Seuls les administrateurs de l’entreprise décident de ses mandats.');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
    return failure('not_found', 'mandat_introuvable', MANDAT_NOT_FOUND);
  const d = DECISIONS[decision];
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const ownSiren = tx.select({ siren: espaces.siren }).from(espaces).where(eq(espaces.id, admin.espaceId));
    const [m] = await tx
      .update(mandats)
      .set(
        decision === 'revoquer' ? { statut: d.to, endedAt: now, endedBy: admin.id } : { statut: d.to, decidedAt: now, decidedBy: admin.id },
      )
      .where(and(eq(mandats.id, id), inArray(mandats.siren, ownSiren), eq(mandats.statut, d.from)))
      .returning();
    if (!m) return failure('not_found', 'mandat_introuvable', MANDAT_NOT_FOUND);
    await auditBy(tx, ctx.clock, admin, meta.ip, d.action, { details: { mandatId: m.id, siren: m.siren, tiersEspaceId: m.tiersEspaceId } });
    const company = await companyOf(tx, m.siren);
    const consequence =
      d.to === 'accepte'
        ? 'Vous pouvez désormais agir pour elle dans l’espace « SOLTéA - Etablissements » de ses établissements, une fois la déclaration ouverte à vos déclarants habilités.'
        : 'Vous ne pouvez pas ouvrir l’espace « SOLTéA - Etablissements » de ses établissements. Pour le demander à nouveau, retirez l’entreprise de votre portefeuille puis ajoutez-la.';
    await tellAdministrators(tx, ctx, m.tiersEspaceId, {
      subject: `Mandat ${d.word} par ${company.raisonSociale}`,
      text: `${admin.prenom} ${admin.nom}, administrateur de ${company.raisonSociale} (SIREN ${formatSiren(m.siren)}), a ${d.word} le ${formatDate(now)} le mandat que vous lui aviez demandé en l’ajoutant à votre portefeuille. ${consequence}`,
      path: '/gestion/portefeuilles',
    });
    return { ok: true as const, statut: d.to };
  });
}
