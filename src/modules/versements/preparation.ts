/**
 * « Préparer une vague » (docs/regles.md#versements, ADR 0007): a gestionnaire computes what a wave of
 * the calendar pays, in one transaction — the transfers per beneficiary with the verified bank details
 * they will be paid with, the allocation lines each transfer pays (one row per line and wave: a line is
 * never paid twice), and the shares that cannot be paid (D. 6241-27-1). Preparing again a wave that is
 * only prepared replaces it; once approved, it cannot be prepared again. A crash leaves the wave
 * prepared or not at all.
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { audit } from '../../infra/audit.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import { vaguesVersement } from '../../infra/db/schema-versements.js';
import { failure, ProblemError, problem, type Outcome } from '../../shared/problem.js';
import { waveName } from '../../domain/versements.js';
import { campaignOf, presetOrDefault } from '../campagnes/repository.js';
import { formatJour, parisStartOfDay } from '../../domain/jours.js';
import { lignesDuesStatement } from './lignes-dues.js';

export interface AgentRef {
  id: string;
  role: 'gestionnaire' | 'valideur';
}

/** One lock per campaign: preparation, approval, issue and returns of a campaign never run at once. */
export async function lockCampaignPayments(tx: Tx, annee: number): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(74611, ${annee}::int)`);
}

const refuse = (kind: 'invalid' | 'conflict' | 'forbidden', code: string, message: string) =>
  new ProblemError(problem(kind, code, message));

/** The wave `numero` of the campaign's calendar, and whether it may be prepared at `now`. */
async function waveOfCalendar(ctx: AppContext, annee: number, numero: number) {
  const campaign = (await campaignOf(ctx.db, annee)) ?? presetOrDefault(annee);
  const vague = campaign.vagues.find((v) => v.numero === numero);
  if (!vague)
    throw refuse(
      'invalid',
      'vague_inconnue',
      `La campagne ${annee} n’a pas de vague n° ${numero} (vagues : ${campaign.vagues.map((v) => v.numero).join(', ')}).`,
    );
  if (ctx.clock.now() < parisStartOfDay(vague.date))
    throw refuse(
      'conflict',
      'vague_avant_sa_date',
      `La vague n° ${numero} ne peut être préparée qu’à partir du ${formatJour(vague.date)}, la date fixée par le calendrier.`,
    );
  return vague;
}

export interface PreparedWave {
  vagueId: number;
  nbVirements: number;
  totalCents: bigint;
  nonVersables: number;
}

/** Prepares (or prepares again) wave `numero` of campaign `annee`; the gestionnaire's identity is recorded and audited. */
export async function prepareWave(ctx: AppContext, agent: AgentRef, annee: number, numero: number): Promise<Outcome<PreparedWave>> {
  if (agent.role !== 'gestionnaire')
    return failure('forbidden', 'role_gestionnaire', 'La préparation d’une vague est réservée aux gestionnaires.');
  try {
    const vague = await waveOfCalendar(ctx, annee, numero);
    const prepared = await ctx.db.transaction(async (tx) => {
      await lockCampaignPayments(tx, annee);
      await clearEarlierPreparation(tx, annee, numero);
      await tx.execute(lignesDuesStatement(annee, vague.periodeNumero));
      const vagueId = await insertWave(tx, ctx, agent, annee, numero, vague.date);
      await insertTransfers(tx, annee, vagueId);
      const nonVersables = await insertUnpayable(tx, ctx, annee, vagueId);
      const totals = await waveTotals(tx, vagueId);
      const msgId = await waveMsgIdOf(tx, vagueId);
      await tx.execute(sql`update vagues_versement set nb_virements = ${totals.nb}, total_cents = ${totals.total} where id = ${vagueId}`);
      await audit(tx, ctx.clock, {
        action: 'vague.preparee',
        actorAgentId: agent.id,
        details: { annee, numero, vagueId, msgId, virements: totals.nb, totalCents: String(totals.total), nonVersables },
      });
      return { vagueId, nbVirements: totals.nb, totalCents: totals.total, nonVersables };
    });
    return { ok: true, ...prepared };
  } catch (e) {
    if (e instanceof ProblemError) return { ok: false, problem: e.problem };
    throw e;
  }
}

/**
 * A wave already prepared (not approved) is replaced; any other wave of the campaign in progress, or this
 * one approved or issued, is a refusal.
 */
async function clearEarlierPreparation(tx: Tx, annee: number, numero: number) {
  const open = await selectRows<{ id: string; numero: number; statut: string }>(
    tx,
    sql`select id::text, numero, statut from vagues_versement where annee = ${annee} and statut in ('preparee', 'approuvee', 'emise') for update`,
  );
  const same = open.find((w) => w.numero === numero);
  if (same && same.statut !== 'preparee')
    throw refuse(
      'conflict',
      'vague_deja_' + same.statut,
      `La vague n° ${numero} est déjà ${same.statut === 'emise' ? 'émise' : 'approuvée'} : elle ne peut plus être préparée.`,
    );
  const other = open.find((w) => w.numero !== numero && w.statut !== 'emise');
  if (other)
    throw refuse(
      'conflict',
      'autre_vague_en_cours',
      `La ${waveName(other.numero)} est en cours (${other.statut}) : émettez-la ou annulez-la d’abord.`,
    );
  if (same) {
    await tx.execute(sql`delete from non_versables where vague_id = ${same.id}::bigint`);
    await tx.execute(sql`delete from lignes_versees where vague_id = ${same.id}::bigint`);
    await tx.execute(sql`delete from virements where vague_id = ${same.id}::bigint`);
    await tx.execute(sql`delete from vagues_versement where id = ${same.id}::bigint`);
  }
}

/**
 * The wave's SEPA message id (docs/sepa.md#identifiants): `SOLTEA-<année>-V<n° de vague>-<essai>`, where
 * the attempt is 1 + the cancelled preparations of the same wave. A function of the campaign, the wave
 * and the attempt, never of a sequence: a preparation killed and redone, or prepared again before
 * approval, gives the same id, the same transfers' ids and so the same file (ADR 0007); a wave cancelled
 * and prepared again gets a new id, so the bank never sees two messages with one id.
 */
export const waveMsgId = (annee: number, numero: number, attempt: number) => `SOLTEA-${annee}-V${numero}-${attempt}`;

async function insertWave(tx: Tx, ctx: AppContext, agent: AgentRef, annee: number, numero: number, date: string): Promise<number> {
  const [cancelled] = await selectRows<{ n: number }>(
    tx,
    sql`select count(*)::int as n from vagues_versement where annee = ${annee} and numero = ${numero} and statut = 'annulee'`,
  );
  const [row] = await tx
    .insert(vaguesVersement)
    .values({
      annee,
      numero,
      nature: 'allocations',
      dateExecution: date,
      statut: 'preparee',
      prepareeLe: ctx.clock.now(),
      prepareePar: agent.id,
      nbVirements: 0,
      totalCents: 0n,
      msgId: waveMsgId(annee, numero, (cancelled?.n ?? 0) + 1),
    })
    .returning({ id: vaguesVersement.id });
  return row!.id;
}

/**
 * One transfer per payable beneficiary, in SIRET order: its n° virement continues the numbers of the
 * campaign's issued waves (unique in the campaign, the label's number), its EndToEndId is the wave's
 * message id and that number (what the bank's returns quote). Both depend only on the campaign's issued
 * waves, the wave and its attempt: the same after a crash and a new preparation. Then the lines each pays,
 * in line order: the primary key and the foreign key to the allocations then read their indexes in order
 * (a national wave writes about 2,000,000 rows: bench/README.md, « Payments »).
 */
async function insertTransfers(tx: Tx, annee: number, vagueId: number) {
  await tx.execute(sql`
    insert into virements (vague_id, annee, beneficiaire_siret, beneficiaire_nom, montant_cents, numero, libelle, end_to_end_id,
                           coordonnees_id, iban, bic, titulaire, statut)
    select ${vagueId}, ${annee}, g.siret, g.nom, g.cents, g.numero,
           'TAXE- APPRENTISSAGE - ' || g.siret || ' - ' || ${annee} || ' - ' || g.numero,
           (select msg_id from vagues_versement where id = ${vagueId}) || '-' || lpad(g.numero::text, 7, '0'),
           g.coordonnees_id, g.iban, g.bic, g.titulaire, 'prevu'
      from (
        select beneficiaire_siret as siret, min(beneficiaire_nom) as nom, sum(cents) as cents,
               min(coordonnees_id) as coordonnees_id, min(iban) as iban, min(bic) as bic, min(titulaire) as titulaire,
               (select coalesce(max(vi.numero), 0) from virements vi join vagues_versement w on w.id = vi.vague_id
                 where vi.annee = ${annee} and w.statut = 'emise') + row_number() over (order by beneficiaire_siret) as numero
          from lignes_dues where motif is null
         group by beneficiaire_siret
      ) g`);
  await tx.execute(sql`
    insert into lignes_versees (attribution_id, vague_id, virement_id, annee, siret_employeur, montant_cents)
    select d.attribution_id, ${vagueId}, v.id, ${annee}, d.siret_employeur, d.cents
      from lignes_dues d join virements v on v.vague_id = ${vagueId} and v.beneficiaire_siret = d.beneficiaire_siret
     where d.motif is null
     order by d.attribution_id`);
}

/**
 * The shares that cannot be paid at this wave, with their reason. Earlier unpaid shares of the same lines
 * are settled when the wave is issued (vagues.ts), not here: a prepared wave may still be cancelled.
 */
async function insertUnpayable(tx: Tx, ctx: AppContext, annee: number, vagueId: number): Promise<number> {
  const now = ctx.clock.now().toISOString();
  const rows = await selectRows<{ n: number }>(
    tx,
    sql`with ins as (
          insert into non_versables (annee, vague_id, attribution_id, siret_employeur, beneficiaire_siret, montant_cents, motif, statut, cree_le)
          select ${annee}, ${vagueId}, attribution_id, siret_employeur, beneficiaire_siret, cents, motif, 'en_attente', ${now}::timestamptz
            from lignes_dues where motif is not null
          returning 1)
        select count(*)::int as n from ins`,
  );
  return rows[0]?.n ?? 0;
}

async function waveMsgIdOf(tx: Tx, vagueId: number): Promise<string> {
  const [r] = await selectRows<{ msg_id: string }>(tx, sql`select msg_id from vagues_versement where id = ${vagueId}`);
  return r!.msg_id;
}

async function waveTotals(tx: Tx, vagueId: number): Promise<{ nb: number; total: bigint }> {
  const [r] = await selectRows<{ nb: number; total: string }>(
    tx,
    sql`select count(*)::int as nb, coalesce(sum(montant_cents), 0)::text as total from virements where vague_id = ${vagueId}`,
  );
  return { nb: r?.nb ?? 0, total: BigInt(r?.total ?? '0') };
}
