/**
 * What the operator's screens show of the payment waves (docs/regles.md#versements): the campaign's
 * calendar waves with the state of each, the preview of one wave — totals by region and by category of
 * establishment (L. 6241-5), what it pays and what it cannot pay (D. 6241-27-1) — and its transfers,
 * by page or as a CSV (shared/csv.ts). Read-only: the changes are preparation.ts and vagues.ts.
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { motifNonVersableLibelle } from '../../domain/non-versables.js';
import { libelleCategorie } from '../../domain/referentiel.js';
import { selectRows } from '../../infra/db/index.js';
import { writeCsv } from '../../shared/csv.js';
import { formatEurosPlain } from '../../shared/format.js';
import { campaignOf, presetOrDefault } from '../campagnes/repository.js';
import { regionName } from '../referentiel/territoires.js';
import { waveOf, type WaveRow } from './vagues.js';

export interface WaveState extends WaveRow {
  prepareeLe: Date;
  prepareeParNom: string | null;
  approuveeParNom: string | null;
  emiseParNom: string | null;
}

export interface CalendarWave {
  numero: number;
  /** the day of the calendar, AAAA-MM-JJ */
  date: string;
  /** the wave as prepared (the latest not cancelled), or null when it was never prepared */
  wave: WaveState | null;
}

const agentName = (column: string) => sql.raw(`(select a.prenom || ' ' || a.nom from agents a where a.id = w.${column}) as ${column}_nom`);

function stateOf(r: Record<string, unknown>): WaveState {
  return {
    ...waveOf(r),
    prepareeLe: new Date(r.preparee_le as string),
    prepareeParNom: (r.preparee_par_nom as string | null) ?? null,
    approuveeParNom: (r.approuvee_par_nom as string | null) ?? null,
    emiseParNom: (r.emise_par_nom as string | null) ?? null,
  };
}

/** The calendar's waves of campaign `annee`, each with its prepared wave if any, then the reliquat's wave if computed. */
export async function campaignWaves(ctx: AppContext, annee: number): Promise<CalendarWave[]> {
  const campaign = (await campaignOf(ctx.db, annee)) ?? presetOrDefault(annee);
  const rows = await selectRows<Record<string, unknown>>(
    ctx.db,
    sql`select w.*, ${agentName('preparee_par')}, ${agentName('approuvee_par')}, ${agentName('emise_par')}
          from vagues_versement w where w.annee = ${annee} and w.statut <> 'annulee' order by w.numero`,
  );
  const byNumero = new Map(rows.map((r) => [Number(r.numero), stateOf(r)]));
  const calendar = campaign.vagues.map((v) => ({ numero: v.numero, date: v.date, wave: byNumero.get(v.numero) ?? null }));
  // the reliquat's wave (numero 0, reliquat.ts) once computed, at the campaign's reliquat date
  const reliquat = byNumero.get(0);
  return reliquat ? [...calendar, { numero: 0, date: campaign.reliquat, wave: reliquat }] : calendar;
}

/** One wave with its agents' names, or null. */
export async function waveState(ctx: AppContext, vagueId: number): Promise<WaveState | null> {
  const [r] = await selectRows<Record<string, unknown>>(
    ctx.db,
    sql`select w.*, ${agentName('preparee_par')}, ${agentName('approuvee_par')}, ${agentName('emise_par')}
          from vagues_versement w where w.id = ${vagueId}`,
  );
  return r ? stateOf(r) : null;
}

export interface Subtotal {
  /** the region's or category's code ('' when the referential does not say) */
  code: string;
  libelle: string;
  virements: number;
  cents: bigint;
}

export interface WavePreview {
  wave: WaveState;
  parRegion: Subtotal[];
  parCategorie: Subtotal[];
  /** allocation lines the wave pays, and their sum (= the transfers' total) */
  lignesPayees: number;
  /** the shares it cannot pay, by reason */
  nonVersables: { motif: string; lignes: number; cents: bigint }[];
}

/** The beneficiary's row of the wave's year in the referential (the establishment itself, else any of its rows). */
const beneficiaryRef = sql`left join lateral (select r.region, r.categorie from ref_etablissements r
      where r.annee = v.annee and r.siret = v.beneficiaire_siret order by r.parent_id nulls first, r.id limit 1) r on true`;

export async function wavePreview(ctx: AppContext, vagueId: number): Promise<WavePreview | null> {
  const wave = await waveState(ctx, vagueId);
  if (!wave) return null;
  const totals = (key: 'region' | 'categorie') =>
    selectRows<{ code: string | null; n: number; cents: string }>(
      ctx.db,
      sql`select r.${sql.raw(key)} as code, count(*)::int as n, sum(v.montant_cents)::text as cents
            from virements v ${beneficiaryRef} where v.vague_id = ${vagueId} group by 1 order by 1`,
    );
  const [regions, categories, paid, unpaid] = await Promise.all([
    totals('region'),
    totals('categorie'),
    selectRows<{ n: number }>(ctx.db, sql`select count(*)::int as n from lignes_versees where vague_id = ${vagueId}`),
    selectRows<{ motif: string; n: number; cents: string }>(
      ctx.db,
      sql`select motif, count(*)::int as n, sum(montant_cents)::text as cents from non_versables
           where vague_id = ${vagueId} group by motif order by motif`,
    ),
  ]);
  const subtotal = (label: (code: string) => string) => (r: { code: string | null; n: number; cents: string }) => ({
    code: r.code ?? '',
    libelle: r.code ? label(r.code) : 'Non renseignée',
    virements: r.n,
    cents: BigInt(r.cents),
  });
  return {
    wave,
    parRegion: regions.map(subtotal((c) => regionName(c) ?? c)).sort((a, b) => a.libelle.localeCompare(b.libelle, 'fr')),
    parCategorie: categories.map(subtotal((c) => `${c} ${libelleCategorie(c)}`)),
    lignesPayees: paid[0]?.n ?? 0,
    nonVersables: unpaid.map((u) => ({ motif: u.motif, lignes: u.n, cents: BigInt(u.cents) })),
  };
}

export interface TransferLine {
  numero: number;
  beneficiaire: string;
  siret: string;
  cents: bigint;
  libelle: string;
}

export const TRANSFERS_PAGE_SIZE = 50;

const transferRows = (vagueId: number, limit: number | null, offset: number) =>
  sql`select numero, beneficiaire_nom, beneficiaire_siret, montant_cents::text as cents, libelle, count(*) over () as total
        from virements where vague_id = ${vagueId} order by numero
        ${limit === null ? sql`` : sql`limit ${limit} offset ${offset}`}`;

type TransferRow = {
  numero: number;
  beneficiaire_nom: string;
  beneficiaire_siret: string;
  cents: string;
  libelle: string;
  total: string | number;
};

const transferOf = (r: TransferRow): TransferLine => ({
  numero: Number(r.numero),
  beneficiaire: r.beneficiaire_nom,
  siret: r.beneficiaire_siret,
  cents: BigInt(r.cents),
  libelle: r.libelle,
});

/** The wave's transfers, page `page` (1-based), in the file's order. */
export async function waveTransfers(ctx: AppContext, vagueId: number, page: number): Promise<{ rows: TransferLine[]; total: number }> {
  const rows = await selectRows<TransferRow>(
    ctx.db,
    transferRows(vagueId, TRANSFERS_PAGE_SIZE, (Math.max(1, page) - 1) * TRANSFERS_PAGE_SIZE),
  );
  return { rows: rows.map(transferOf), total: Number(rows[0]?.total ?? 0) };
}

/** Every transfer of the wave as a CSV (« ; », euros with a decimal comma). */
export async function waveTransfersCsv(
  ctx: AppContext,
  wave: Pick<WaveRow, 'id' | 'annee' | 'numero'>,
): Promise<{ name: string; csv: string }> {
  const rows = (await selectRows<TransferRow>(ctx.db, transferRows(wave.id, null, 0))).map(transferOf);
  const csv = writeCsv(
    ['numero_virement', 'beneficiaire', 'siret', 'montant_euros', 'libelle'],
    rows.map((r) => [r.numero, r.beneficiaire, r.siret, formatEurosPlain(r.cents), r.libelle]),
  );
  return { name: `soltea-${wave.annee}-vague-${wave.numero}-virements.csv`, csv };
}

export interface UnpayableLine {
  id: number;
  /** the wave that could not pay it (0: the reliquat's) */
  vague: number;
  employeur: string;
  beneficiaire: string;
  beneficiaireNom: string;
  cents: bigint;
  /** the reason in French (docs/regles.md#fonds-non-versables) */
  motif: string;
  /** 'en_attente' | 'redesignee' | 'reliquat' | 'versee' | 'remplacee' */
  statut: string;
  creeLe: Date;
}

export const UNPAYABLE_PAGE_SIZE = 50;

/**
 * The unpayable lines of campaign `annee` (D. 6241-27-1), those still waiting for the employer's
 * re-designation first, page `page`; with the count and sum of each status.
 */
export async function unpayableLines(
  ctx: AppContext,
  annee: number,
  page: number,
): Promise<{ rows: UnpayableLine[]; total: number; parStatut: { statut: string; lignes: number; cents: bigint }[] }> {
  const [rows, totals] = await Promise.all([
    selectRows<Record<string, string | number | null>>(
      ctx.db,
      sql`select n.id, w.numero, n.siret_employeur, n.beneficiaire_siret, n.montant_cents::text as cents, n.motif, n.motif_detail, n.statut, n.cree_le,
                 coalesce((select min(r.nom) from ref_etablissements r where r.siret = n.beneficiaire_siret and r.annee = n.annee), n.beneficiaire_siret) as nom
            from non_versables n join vagues_versement w on w.id = n.vague_id
           where n.annee = ${annee}
           order by (n.statut = 'en_attente') desc, w.numero, n.beneficiaire_siret, n.id
           limit ${UNPAYABLE_PAGE_SIZE} offset ${(Math.max(1, page) - 1) * UNPAYABLE_PAGE_SIZE}`,
    ),
    selectRows<{ statut: string; n: number; cents: string }>(
      ctx.db,
      sql`select statut, count(*)::int as n, sum(montant_cents)::text as cents from non_versables where annee = ${annee} group by statut order by statut`,
    ),
  ]);
  return {
    total: totals.reduce((s, t) => s + t.n, 0),
    parStatut: totals.map((t) => ({ statut: t.statut, lignes: t.n, cents: BigInt(t.cents) })),
    rows: rows.map((r) => ({
      id: Number(r.id),
      vague: Number(r.numero),
      employeur: String(r.siret_employeur),
      beneficiaire: String(r.beneficiaire_siret),
      beneficiaireNom: String(r.nom),
      cents: BigInt(String(r.cents)),
      motif: motifNonVersableLibelle(String(r.motif), r.motif_detail === null ? null : String(r.motif_detail)),
      statut: String(r.statut),
      creeLe: new Date(r.cree_le as unknown as string | Date),
    })),
  };
}
