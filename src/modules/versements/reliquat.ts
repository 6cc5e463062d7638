/**
 * The reliquat of a campaign (R. 6241-28, D. 6241-27-1, R. 6241-28-1; docs/regles.md#reliquat, ADR 0007):
 * - `simulateReliquat(ctx, annee)`: read-only, at any time (the operator runs it before the campaign's
 *   reliquat date): the pool, the parts by region, each establishment's share and what would stay in the
 *   fund;
 * - `computeReliquat(ctx, agent, annee)`: from the campaign's reliquat date, once every wave of the
 *   calendar is issued, a gestionnaire computes it in one transaction under the campaign's lock: the
 *   shares (`reliquat_parts`), the summary with what is carried over to next year (`reliquats`), the
 *   unpaid shares that joined it marked `reliquat`, and the reliquat's payment wave (numero 0, nature
 *   'reliquat') prepared: one transfer per establishment that can be paid, approved by a valideur and
 *   issued like any other wave (vagues.ts). Computed once; again only after its wave was cancelled.
 * The split itself is the pure rule of domain/reliquat.ts, on the inputs of reliquat-donnees.ts.
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import type { Campaign } from '../../domain/campagne.js';
import { redesignationDeadline, reliquatRegionaleBp } from '../../domain/campagne.js';
import { formatJour, parisStartOfDay, type Jour } from '../../domain/jours.js';
import { shareReliquat, type ReliquatShare, type ReliquatSplit } from '../../domain/reliquat.js';
import { audit } from '../../infra/audit.js';
import { selectRows, type Db, type Tx } from '../../infra/db/index.js';
import { reliquats, vaguesVersement } from '../../infra/db/schema-versements.js';
import { failure, ProblemError, problem, type Outcome } from '../../shared/problem.js';
import { RELIQUAT_WAVE_NUMERO, waveName } from '../../domain/versements.js';
import { campaignOf, presetOrDefault } from '../campagnes/repository.js';
import { lockCampaignPayments, type AgentRef } from './preparation.js';
import { metiersCount, reliquatEtablissements, reliquatSources } from './reliquat-donnees.js';

export interface ReliquatView extends Omit<ReliquatSplit, 'shares'> {
  annee: number;
  /** the campaign's reliquat day, and the last day of re-designation */
  date: Jour;
  redesignationFin: Jour;
  /** each establishment's share, with its name, in SIRET order */
  shares: (ReliquatShare & { nom: string })[];
}

const refuse = (kind: 'invalid' | 'conflict' | 'forbidden', code: string, message: string) =>
  new ProblemError(problem(kind, code, message));

async function campaign(db: Db | Tx, annee: number): Promise<Campaign> {
  return (await campaignOf(db, annee)) ?? presetOrDefault(annee);
}

/** The split on the database's current state (inside the caller's transaction when given one). */
async function computeView(db: Db | Tx, annee: number, c: Campaign): Promise<ReliquatView> {
  if ((await metiersCount(db, annee)) === 0)
    throw refuse(
      'conflict',
      'metiers_absents',
      `Aucun métier en tension n’est importé pour ${annee} : importez la liste de chaque région (import-metiers-en-tension) avant de répartir le reliquat.`,
    );
  const [sources, etablissements] = [await reliquatSources(db, annee), await reliquatEtablissements(db, annee)];
  const split = shareReliquat({ regionaleBp: reliquatRegionaleBp(c), sources, etablissements });
  const noms = new Map(etablissements.map((e) => [e.siret, e.nom]));
  return {
    ...split,
    annee,
    date: c.reliquat,
    redesignationFin: redesignationDeadline(c),
    shares: split.shares.map((s) => ({ ...s, nom: noms.get(s.siret) ?? '' })),
  };
}

async function outcomeOf<T extends object>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, ...(await work()) };
  } catch (e) {
    if (e instanceof ProblemError) return { ok: false, problem: e.problem };
    throw e;
  }
}

/** « Simuler le reliquat »: nothing is written. */
/** `ctx.db` may be a transaction (the benchmark measures inside one it rolls back). */
export async function simulateReliquat(ctx: { db: Db | Tx }, annee: number): Promise<Outcome<{ reliquat: ReliquatView }>> {
  return outcomeOf(async () => ({ reliquat: await computeView(ctx.db, annee, await campaign(ctx.db, annee)) }));
}

/** Refusals of the computation: a wave of the calendar not issued, a wave in progress, the reliquat already computed. */
async function checkWaves(tx: Tx, c: Campaign): Promise<number | null> {
  const waves = await selectRows<{ id: string; numero: number; statut: string }>(
    tx,
    sql`select id::text, numero, statut from vagues_versement where annee = ${c.annee} and statut <> 'annulee' for update`,
  );
  const reliquat = waves.find((w) => w.numero === RELIQUAT_WAVE_NUMERO);
  if (reliquat)
    throw refuse(
      'conflict',
      'reliquat_deja_calcule',
      `Le reliquat ${c.annee} est déjà calculé (sa vague est ${reliquat.statut === 'emise' ? 'émise' : reliquat.statut === 'approuvee' ? 'approuvée' : 'préparée'}) : annulez sa vague pour le calculer à nouveau.`,
    );
  const inProgress = waves.find((w) => w.statut !== 'emise');
  if (inProgress)
    throw refuse(
      'conflict',
      'autre_vague_en_cours',
      `La ${waveName(inProgress.numero)} est en cours (${inProgress.statut}) : émettez-la ou annulez-la d’abord.`,
    );
  const missing = c.vagues.filter((v) => !waves.some((w) => w.numero === v.numero && w.statut === 'emise')).map((v) => v.numero);
  if (missing.length)
    throw refuse(
      'conflict',
      'vagues_non_emises',
      `Le reliquat se calcule après les versements de la campagne : la vague n° ${missing.join(', n° ')} n’est pas émise.`,
    );
  const [earlier] = await selectRows<{ n: number }>(tx, sql`select count(*)::int as n from reliquats where annee = ${c.annee}`);
  return earlier?.n ? earlier.n : null;
}

export interface ComputedReliquat {
  reliquat: ReliquatView;
  vagueId: number;
  nbVirements: number;
  totalCents: bigint;
}

/** « Calculer le reliquat » (gestionnaire, from the campaign's reliquat date): see the file's comment. */
export async function computeReliquat(ctx: AppContext, agent: AgentRef, annee: number): Promise<Outcome<ComputedReliquat>> {
  if (agent.role !== 'gestionnaire')
    return failure('forbidden', 'role_gestionnaire', 'Le calcul du reliquat est réservé aux gestionnaires.');
  return outcomeOf(async () => {
    const c = await campaign(ctx.db, annee);
    if (ctx.clock.now() < parisStartOfDay(c.reliquat))
      throw refuse(
        'conflict',
        'reliquat_avant_sa_date',
        `Le reliquat ${annee} ne peut être calculé qu’à partir du ${formatJour(c.reliquat)}, la date fixée par le calendrier ; d’ici là, seule la simulation est possible.`,
      );
    return ctx.db.transaction(async (tx) => {
      await lockCampaignPayments(tx, annee);
      if (await checkWaves(tx, c)) await forgetCancelled(tx, annee);
      const reliquat = await computeView(tx, annee, c);
      const vagueId = await insertReliquatWave(tx, ctx, agent, c);
      await writeParts(tx, ctx, agent, reliquat, vagueId);
      const totals = await insertTransfers(tx, annee, vagueId);
      if (totals.total !== reliquat.verseCents)
        throw new Error(`reliquat ${annee}: transfers ${totals.total} ≠ payable shares ${reliquat.verseCents}`);
      await audit(tx, ctx.clock, {
        action: 'reliquat.calcule',
        actorAgentId: agent.id,
        details: {
          annee,
          vagueId,
          poolCents: String(reliquat.poolCents),
          verseCents: String(reliquat.verseCents),
          reporteCents: String(reliquat.reporteCents),
          virements: totals.nb,
        },
      });
      return { reliquat, vagueId, nbVirements: totals.nb, totalCents: totals.total };
    });
  });
}

/** A reliquat whose wave was cancelled is computed again from scratch. */
async function forgetCancelled(tx: Tx, annee: number) {
  await tx.execute(sql`delete from reliquat_parts where annee = ${annee}`);
  await tx.execute(sql`delete from reliquats where annee = ${annee}`);
}

async function insertReliquatWave(tx: Tx, ctx: AppContext, agent: AgentRef, c: Campaign): Promise<number> {
  const [row] = await tx
    .insert(vaguesVersement)
    .values({
      annee: c.annee,
      numero: RELIQUAT_WAVE_NUMERO,
      nature: 'reliquat',
      dateExecution: c.reliquat,
      statut: 'preparee',
      prepareeLe: ctx.clock.now(),
      prepareePar: agent.id,
      nbVirements: 0,
      totalCents: 0n,
      msgId: `SOLTEA-${c.annee}-R`,
    })
    .returning({ id: vaguesVersement.id });
  await tx.execute(sql`update vagues_versement set msg_id = msg_id || '-' || id where id = ${row!.id}`);
  return row!.id;
}

/** The shares, the summary, and the unpaid shares that joined the reliquat. */
async function writeParts(tx: Tx, ctx: AppContext, agent: AgentRef, r: ReliquatView, vagueId: number) {
  const now = ctx.clock.now();
  const rows = r.shares.map(
    (s) => sql`(${r.annee}, ${s.siret}, ${s.region}, ${s.regionaleCents}, ${s.nationaleCents}, ${s.formations}, ${s.motif}, ${now})`,
  );
  for (let i = 0; i < rows.length; i += 1000)
    await tx.execute(sql`insert into reliquat_parts (annee, siret, region, regionale_cents, nationale_cents, formations, motif, calcule_le)
                         values ${sql.join(rows.slice(i, i + 1000), sql`, `)}`);
  await tx.insert(reliquats).values({
    annee: r.annee,
    calculeLe: now,
    calculePar: agent.id,
    vagueId,
    regionaleBp: r.regionaleBp,
    poolCents: r.poolCents,
    nonAttribueCents: r.nonAttribueCents,
    nonVersableCents: r.nonVersableCents,
    regionaleCents: r.regionaleCents,
    nationaleCents: r.nationaleCents,
    verseCents: r.verseCents,
    reporteCents: r.reporteCents,
    details: {
      regions: r.regions.map((g) => ({
        region: g.region,
        nonAttribueCents: String(g.nonAttribueCents),
        nonVersableCents: String(g.nonVersableCents),
        partCents: String(g.partCents),
        etablissements: g.etablissements,
      })),
      formations: r.formations,
      reports: r.reports.map((x) => ({ motif: x.motif, cents: String(x.cents) })),
    },
  });
  await tx.execute(sql`
    update non_versables nv set statut = 'reliquat', decide_le = ${now.toISOString()}::timestamptz
      from vagues_versement v
     where v.id = nv.vague_id and v.statut = 'emise' and nv.annee = ${r.annee} and nv.statut = 'en_attente'`);
}

/** One transfer per establishment whose share can be paid, with its verified bank details; the wave's totals. */
async function insertTransfers(tx: Tx, annee: number, vagueId: number): Promise<{ nb: number; total: bigint }> {
  await tx.execute(sql`
    insert into virements (vague_id, annee, beneficiaire_siret, beneficiaire_nom, montant_cents, numero, libelle, end_to_end_id,
                           coordonnees_id, iban, bic, titulaire, statut)
    select ${vagueId}, ${annee}, g.siret, g.nom, g.cents, g.numero,
           'TAXE- APPRENTISSAGE - ' || g.siret || ' - ' || ${annee} || ' - ' || g.numero,
           'TA' || ${annee} || '-' || lpad(g.numero::text, 7, '0'),
           g.coordonnees_id, g.iban, g.bic, g.titulaire, 'prevu'
      from (
        select p.siret, r.nom, p.regionale_cents + p.nationale_cents as cents, cb.id as coordonnees_id, cb.iban, cb.bic, cb.titulaire,
               (select coalesce(max(numero), 0) from virements where annee = ${annee}) + row_number() over (order by p.siret) as numero
          from reliquat_parts p
          join ref_etablissements r on r.annee = p.annee and r.cle = p.siret and r.parent_id is null
          join coordonnees_bancaires cb on cb.siret = p.siret and cb.remplacee_le is null and cb.statut = 'verifiee'
         where p.annee = ${annee} and p.motif is null and p.regionale_cents + p.nationale_cents > 0
      ) g`);
  const [t] = await selectRows<{ nb: number; total: string }>(
    tx,
    sql`select count(*)::int as nb, coalesce(sum(montant_cents), 0)::text as total from virements where vague_id = ${vagueId}`,
  );
  const totals = { nb: t?.nb ?? 0, total: BigInt(t?.total ?? '0') };
  await tx.execute(sql`update vagues_versement set nb_virements = ${totals.nb}, total_cents = ${totals.total} where id = ${vagueId}`);
  return totals;
}
