/**
 * The bank-details reminders before each period closes (D. 6241-27-1, docs/messages.md,
 * docs/regles.md#fonds-non-versables) — ONE rule: every establishment that receives allocations of the
 * campaign but has no verified bank details — or whose verified details a transfer was rejected on — is
 * reminded 7 days, then 1 day, before the period's last day (« J-7 », « J-1 »: the scheduler's
 * period-end events, scheduler.ts), its people (its company's administrators and the people
 * habilitated to « SOLTéA - Etablissements » on it: tableau de bord and mail, one message per person
 * naming their establishments) and the contacts of its page (mail).
 *
 * The operator's bulk reminder (« Établissements sans coordonnées ») and `rappels-coordonnees <année>`
 * send the same reminder under the same key: `rappels_coordonnees (annee, periode, jours, siret)`, the
 * échéance being the one already begun (J-7 until J-1's morning, then J-1; before J-7, J-7:
 * `echeanceRappel`). So an establishment never gets the same reminder twice for a period, whoever sends
 * first. The keys are claimed and the messages queued in one transaction: two senders at the same moment
 * (instances, the operator and the scheduler) send each reminder once — the second waits on the first's
 * keys, then finds them taken.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import type { Campaign, Periode } from '../../domain/campagne.js';
import { echeanceRappel, evenementsDus } from '../../domain/messages-calendrier.js';
import { audit } from '../../infra/audit.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import { queueMail } from '../../infra/mail.js';
import { campaignOf, presetOrDefault } from '../campagnes/repository.js';
import { peopleOfEtablissements } from './audiences.js';
import { finPeriodeEtablissement } from './textes.js';
import { queueMessages } from '../notifications/messages.js';

export interface RappelsReport {
  periode: Periode | null;
  /** the échéance sent (7 or 1 days before the period's end), null when none is due */
  jours: number | null;
  /** establishments reminded now */
  envoyes: number;
  /** establishments that needed it but were already reminded for this period and échéance */
  dejaRappeles: number;
}

/**
 * The establishments of campaign `annee` that receive allocations but cannot be paid as things stand
 * (`siret`, and `rejet` when the bank rejected a transfer on their verified details): no verified bank
 * details — a composante without its own is counted in its parent —, the closed ones left out.
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

/** Inserts the reminders due (taken keys skipped) and returns the establishments concerned, those to tell now marked `nouveau`. */
async function claimReminders(tx: Tx, annee: number, periode: number, jours: number, now: Date) {
  return selectRows<{ siret: string; nom: string; rejet: boolean; nouveau: boolean }>(
    tx,
    sql`
    with dus as (${sansCoordonneesSql(annee)}),
    ins as (
      insert into rappels_coordonnees (annee, periode, jours, siret, envoye_le, destinataires)
      select ${annee}, ${periode}, ${jours}, siret, ${now.toISOString()}::timestamptz, 0 from dus
      on conflict do nothing
      returning siret
    )
    select d.siret, ${nomOf(annee)} as nom, d.rejet,
           d.siret in (select siret from ins) as nouveau
      from dus d order by d.siret`,
  );
}

const campaignFor = async (ctx: AppContext, annee: number) => (await campaignOf(ctx.db, annee)) ?? presetOrDefault(annee);

export interface SansCoordonnees {
  siret: string;
  nom: string;
  /** no details, details to verify, details rejected by the operator, or verified but a transfer returned by the bank */
  situation: 'aucune' | 'a_verifier' | 'rejetee' | 'rejet_bancaire';
  /** when this period's current reminder (its échéance now) went, or null */
  rappeleLe: Date | null;
}

export const SANS_COORDONNEES_PAGE_SIZE = 50;

/**
 * The establishments of campaign `annee` that the reminder of period `periode` concerns (the same rule as
 * the reminders), page `page`, with their situation and whether the reminder a send would count as now
 * (`echeanceRappel`) went; how many in all, and how many were already reminded.
 */
export async function establishmentsWithoutBankDetails(
  ctx: AppContext,
  annee: number,
  periode: number,
  page: number,
): Promise<{ rows: SansCoordonnees[]; total: number; rappeles: number }> {
  const p = (await campaignFor(ctx, annee)).periodes.find((x) => x.numero === periode);
  const jours = p ? echeanceRappel(p, ctx.clock.now()) : 0;
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
      left join rappels_coordonnees rc on rc.annee = ${annee} and rc.periode = ${periode} and rc.jours = ${jours} and rc.siret = d.siret
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

type Claimed = { siret: string; nom: string; rejet: boolean };

/**
 * The reminder `jours` days before the end of period `periode` of campaign `c`, in the caller's
 * transaction: the establishments concerned and not yet reminded for this échéance are claimed, their
 * people told (one message per person naming their establishments, key
 * `fin-periode:<année>:<période>:j<jours>:etablissements:<user>:<first SIRET>` — unique since each SIRET
 * is claimed once), and the contacts of their page mailed (key `…:etablissements:<SIRET>:<address>`).
 */
export async function remindInTx(
  tx: Tx,
  ctx: AppContext,
  c: Campaign,
  periode: Periode,
  jours: number,
): Promise<{ envoyes: Claimed[]; dejaRappeles: number; messages: number }> {
  const now = ctx.clock.now();
  const due = await claimReminders(tx, c.annee, periode.numero, jours, now);
  const fresh = due.filter((d) => d.nouveau).map(({ siret, nom, rejet }) => ({ siret, nom, rejet }));
  const report = { envoyes: fresh, dejaRappeles: due.length - fresh.length, messages: 0 };
  if (fresh.length === 0) return report;
  const cle = `fin-periode:${c.annee}:${periode.numero}:j${jours}:etablissements`;
  const etabs = sql`select * from json_to_recordset(${JSON.stringify(fresh)}::json) as x(siret text, nom text, rejet boolean)`;
  const told = new Map<string, Set<string>>(fresh.map((f) => [f.siret, new Set<string>()]));
  for (let after = ''; ;) {
    const rows = await peopleOfEtablissements(tx, etabs, after);
    if (rows.length === 0) break;
    report.messages += await queueMessages(
      tx,
      now,
      rows.map((d) => ({
        cle: `${cle}:${d.user_id}:${d.etablissements[0]!.siret}`,
        person: d,
        ...finPeriodeEtablissement(ctx, c, { periode, jours }, d),
      })),
    );
    for (const d of rows) for (const e of d.etablissements) told.get(e.siret)?.add(d.email.toLowerCase());
    after = rows[rows.length - 1]!.user_id;
  }
  // the contacts of each establishment's page, by mail, unless already told as one of its people
  const profils = await selectRows<{ siret: string; contacts: unknown }>(
    tx,
    sql`select siret, contacts from etablissement_profils where siret in (select siret from (${etabs}) e)`,
  );
  const bySiret = new Map(fresh.map((f) => [f.siret, f]));
  for (const pr of profils) {
    const e = bySiret.get(pr.siret)!;
    const contacts = (typeof pr.contacts === 'string' ? JSON.parse(pr.contacts) : (pr.contacts ?? [])) as { courriel?: string }[];
    const seen = told.get(e.siret)!;
    const texte = finPeriodeEtablissement(ctx, c, { periode, jours }, { user_id: '', email: '', prenom: '', nom: '', etablissements: [e] });
    for (const to of new Set(contacts.map((x) => (x.courriel ?? '').trim().toLowerCase()).filter((x) => x && !seen.has(x)))) {
      await queueMail(tx, ctx.clock, {
        to,
        subject: texte.subject,
        text: `Bonjour,\n\n${texte.body}\n\nnet-entreprises`,
        dedupeKey: `${cle}:${e.siret}:${to}`,
      });
      seen.add(to);
      report.messages++;
    }
  }
  const counts = [...told].map(([siret, people]) => ({ siret, n: people.size }));
  await tx.execute(sql`
    update rappels_coordonnees rc set destinataires = x.n
      from json_to_recordset(${JSON.stringify(counts)}::json) as x(siret text, n int)
     where rc.annee = ${c.annee} and rc.periode = ${periode.numero} and rc.jours = ${jours} and rc.siret = x.siret`);
  return report;
}

/**
 * `rappels-coordonnees <année>`: the reminder due now for campaign `annee` (the scheduler's J-7 or J-1
 * window; none outside), sent now to the establishments not yet reminded — the scheduler, when it
 * processes the same event, finds them taken.
 */
export async function sendBankDetailsReminders(ctx: AppContext, annee: number): Promise<RappelsReport> {
  const c = await campaignFor(ctx, annee);
  const ev = evenementsDus(c, ctx.clock.now()).find((e) => e.kind === 'fin-periode' && e.public === 'etablissements');
  if (ev?.kind !== 'fin-periode') return { periode: null, jours: null, envoyes: 0, dejaRappeles: 0 };
  const r = await ctx.db.transaction((tx) => remindInTx(tx, ctx, c, ev.periode, ev.jours));
  return { periode: ev.periode, jours: ev.jours, envoyes: r.envoyes.length, dejaRappeles: r.dejaRappeles };
}

/**
 * The operator's bulk reminder of period `periode` of campaign `annee` (« Établissements sans
 * coordonnées », any time before the period's end): the reminder of the échéance already begun (J-7
 * before that, `echeanceRappel`) to each establishment not yet reminded for it, under the scheduler's
 * key; audited with the agent, the counts and the SIRETs.
 */
export async function remindForPeriod(
  ctx: AppContext,
  annee: number,
  periode: Periode,
  agent: { agentId: string; ip?: string | null },
): Promise<{ envoyes: number; dejaRappeles: number }> {
  const c = await campaignFor(ctx, annee);
  const jours = echeanceRappel(periode, ctx.clock.now());
  return ctx.db.transaction(async (tx) => {
    const r = await remindInTx(tx, ctx, c, periode, jours);
    const counts = { envoyes: r.envoyes.length, dejaRappeles: r.dejaRappeles };
    await audit(tx, ctx.clock, {
      action: 'rappels_coordonnees.envoyes',
      actorAgentId: agent.agentId,
      ip: agent.ip ?? null,
      details: { annee, periode: periode.numero, jours, ...counts, sirets: r.envoyes.map((f) => f.siret) },
    });
    return counts;
  });
}
