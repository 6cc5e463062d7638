/**
 * Reminders before each period closes (D. 6241-27-1, docs/regles.md#fonds-non-versables): every
 * establishment that receives allocations of the campaign but has no verified bank details — or whose
 * verified details a transfer was rejected on — is reminded by mail (its company's administrators, with
 * a line in their tableau de bord, and the contacts of its page) in the `RAPPEL_COORDONNEES_JOURS` days
 * before the period's last day, once per establishment and period. The key of `rappels_coordonnees`
 * decides « once »: the reminders are inserted and mailed in one transaction, so two instances (or the
 * timer and the operator's `rappels-coordonnees`) running at the same moment send each reminder once —
 * the second waits on the first's keys, then finds them taken.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import type { Periode } from '../../domain/campagne.js';
import { formatJour } from '../../domain/jours.js';
import { periodeARappeler, RAPPEL_COORDONNEES_JOURS } from '../../domain/non-versables.js';
import { audit } from '../../infra/audit.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import { queueMail } from '../../infra/mail.js';
import { campaignOf, currentCampaign, presetOrDefault } from '../campagnes/repository.js';
import { establishmentAdministrators } from '../espace-etablissement/access.js';
import { notify } from '../notifications/notify.js';

export interface RappelsReport {
  periode: Periode | null;
  jours: number;
  /** establishments reminded now */
  envoyes: number;
  /** establishments that needed it but were already reminded for this period */
  dejaRappeles: number;
}

/**
 * The establishments of campaign `annee` that receive allocations but cannot be paid as things stand
 * (`siret`, and `rejet` when the bank rejected a transfer on their verified details): no verified bank
 * details — a composante without its own is counted in its parent —, the closed ones left out. Also
 * read by the period-end messages (messages/audiences.ts).
 */
export function sansCoordonneesSql(annee: number): SQL {
  return sql`
    with cibles as (
      select distinct case when r.parent_id is null or p.siret = r.siret or cr.id is not null then r.siret else p.siret end as siret
        from attributions a
        join ref_etablissements r on r.id = a.etablissement_id
        left join ref_etablissements p on p.id = r.parent_id
        left join coordonnees_bancaires cr on cr.siret = r.siret and cr.remplacee_le is null and cr.statut = 'verifiee'
       where a.annee = ${annee}
    )
    select c.siret, cb.id is not null as rejet
      from cibles c
      left join coordonnees_bancaires cb on cb.siret = c.siret and cb.remplacee_le is null and cb.statut = 'verifiee'
     where (cb.id is null or exists (select 1 from virements v where v.coordonnees_id = cb.id and v.statut = 'rejete'))
       and not exists (select 1 from etablissements e where e.siret = c.siret and e.etat_administratif = 'F')`;
}

const nomOf = (annee: number) =>
  sql`coalesce((select min(nom) from ref_etablissements where siret = d.siret and annee = ${annee}), d.siret)`;

/** Inserts the reminders due (taken keys skipped) and returns the establishments to mail now, and how many were already reminded. */
async function claimReminders(tx: Tx, annee: number, periode: number, now: Date) {
  return selectRows<{ siret: string; nom: string; rejet: boolean; nouveau: boolean }>(
    tx,
    sql`
    with dus as (${sansCoordonneesSql(annee)}),
    ins as (
      insert into rappels_coordonnees (annee, periode, siret, envoye_le, destinataires)
      select ${annee}, ${periode}, siret, ${now.toISOString()}::timestamptz, 0 from dus
      on conflict do nothing
      returning siret
    )
    select d.siret, ${nomOf(annee)} as nom, d.rejet,
           d.siret in (select siret from ins) as nouveau
      from dus d order by d.siret`,
  );
}

export interface SansCoordonnees {
  siret: string;
  nom: string;
  /** no details, details to verify, details rejected by the operator, or verified but a transfer returned by the bank */
  situation: 'aucune' | 'a_verifier' | 'rejetee' | 'rejet_bancaire';
  /** when this period's reminder went, or null */
  rappeleLe: Date | null;
}

export const SANS_COORDONNEES_PAGE_SIZE = 50;

/**
 * The establishments of campaign `annee` that the reminder of period `periode` concerns (the same rule as
 * the reminders), page `page`, with their situation and this period's reminder; how many in all, and how
 * many were already reminded.
 */
export async function establishmentsWithoutBankDetails(
  ctx: AppContext,
  annee: number,
  periode: number,
  page: number,
): Promise<{ rows: SansCoordonnees[]; total: number; rappeles: number }> {
  const rows = await selectRows<{
    siret: string;
    nom: string;
    rejet: boolean;
    statut: string | null;
    envoye_le: string | Date | null;
    total: number;
    rappeles: number;
  }>(
    ctx.db,
    sql`
    with dus as (${sansCoordonneesSql(annee)})
    select d.siret, ${nomOf(annee)} as nom, d.rejet, cur.statut, rc.envoye_le,
           (count(*) over ())::int as total, (count(rc.siret) over ())::int as rappeles
      from dus d
      left join coordonnees_bancaires cur on cur.siret = d.siret and cur.remplacee_le is null
      left join rappels_coordonnees rc on rc.annee = ${annee} and rc.periode = ${periode} and rc.siret = d.siret
     order by d.siret
     limit ${SANS_COORDONNEES_PAGE_SIZE} offset ${(Math.max(1, page) - 1) * SANS_COORDONNEES_PAGE_SIZE}`,
  );
  return {
    total: Number(rows[0]?.total ?? 0),
    rappeles: Number(rows[0]?.rappeles ?? 0),
    rows: rows.map((r) => ({
      siret: r.siret,
      nom: r.nom,
      situation: r.rejet ? 'rejet_bancaire' : r.statut === 'a_verifier' ? 'a_verifier' : r.statut === 'rejetee' ? 'rejetee' : 'aucune',
      rappeleLe: r.envoye_le ? new Date(r.envoye_le) : null,
    })),
  };
}

/** Who is told for one establishment: its company's administrators (tableau de bord and mail), and its page's contacts (mail). */
async function remind(tx: Tx, ctx: AppContext, e: { siret: string; nom: string; rejet: boolean }, annee: number, p: Periode) {
  const admins = await establishmentAdministrators(tx, e.siret);
  const [profil] = await selectRows<{ contacts: unknown }>(tx, sql`select contacts from etablissement_profils where siret = ${e.siret}`);
  const contacts = (typeof profil?.contacts === 'string' ? JSON.parse(profil.contacts) : (profil?.contacts ?? [])) as {
    courriel?: string;
  }[];
  const why = e.rejet
    ? 'la banque a rejeté un virement sur vos coordonnées bancaires actuelles'
    : 'vos coordonnées bancaires ne sont pas encore saisies ou vérifiées';
  const text =
    `SOLTéA – ${e.nom} (SIRET ${e.siret}) : des employeurs vous ont attribué une part du solde de la taxe d’apprentissage de la campagne ${annee}, mais ${why}. ` +
    `Saisissez ou corrigez-les dans « SOLTéA - Etablissements », rubrique « Coordonnées bancaires », avant la fin de la période de répartition ${p.numero}, le ${formatJour(p.fin)}. ` +
    `Sans coordonnées vérifiées, ces sommes ne pourront pas vous être versées et les employeurs pourront les attribuer à un autre établissement (article D. 6241-27-1 du code du travail).`;
  const subject = `SOLTéA : vos coordonnées bancaires avant le ${formatJour(p.fin)}`;
  await notify(
    tx,
    ctx,
    admins.map((a) => a.id),
    text,
    { subject },
  );
  const told = new Set(admins.map((a) => a.email.toLowerCase()));
  const others = [...new Set(contacts.map((c) => (c.courriel ?? '').trim().toLowerCase()).filter((c) => c && !told.has(c)))];
  for (const to of others)
    await queueMail(tx, ctx.clock, {
      to,
      subject,
      text: `Bonjour,\n\n${text}\n\nnet-entreprises`,
      dedupeKey: `rappel-coordonnees:${annee}:${p.numero}:${e.siret}:${to}`,
    });
  await tx.execute(
    sql`update rappels_coordonnees set destinataires = ${admins.length + others.length} where annee = ${annee} and periode = ${p.numero} and siret = ${e.siret}`,
  );
}

/** Sends the reminders of campaign `annee` due at the context's instant (none outside the days before a period's end). */
export async function sendBankDetailsReminders(ctx: AppContext, annee: number, jours = RAPPEL_COORDONNEES_JOURS): Promise<RappelsReport> {
  const campaign = (await campaignOf(ctx.db, annee)) ?? presetOrDefault(annee);
  const periode = periodeARappeler(campaign, ctx.clock.now(), jours);
  if (!periode) return { periode: null, jours, envoyes: 0, dejaRappeles: 0 };
  return { periode, jours, ...(await remindForPeriod(ctx, annee, periode, null)) };
}

/**
 * The reminders of period `periode` of campaign `annee` now, in one transaction: each establishment not
 * yet reminded for this period is (the key of `rappels_coordonnees`: once per establishment and period,
 * whoever sends it). `agent`, the operator's agent who sent them in bulk from « Établissements sans
 * coordonnées », is audited with the counts.
 */
export async function remindForPeriod(
  ctx: AppContext,
  annee: number,
  periode: Periode,
  agent: { agentId: string; ip?: string | null } | null,
): Promise<{ envoyes: number; dejaRappeles: number }> {
  return ctx.db.transaction(async (tx) => {
    const due = await claimReminders(tx, annee, periode.numero, ctx.clock.now());
    const fresh = due.filter((d) => d.nouveau);
    for (const e of fresh) await remind(tx, ctx, e, annee, periode);
    const counts = { envoyes: fresh.length, dejaRappeles: due.length - fresh.length };
    if (agent)
      await audit(tx, ctx.clock, {
        action: 'rappels_coordonnees.envoyes',
        actorAgentId: agent.agentId,
        ip: agent.ip ?? null,
        details: { annee, periode: periode.numero, ...counts, sirets: fresh.map((f) => f.siret) },
      });
    return counts;
  });
}

/** The application's periodic job: the reminders of the current campaign (errors are the next run's). */
export async function remindersTick(ctx: AppContext): Promise<void> {
  const campaign = await currentCampaign(ctx);
  await sendBankDetailsReminders(ctx, campaign.annee);
}
