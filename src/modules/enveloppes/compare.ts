/**
 * A later import compares its declarations with the stored rows of the year in the database, one
 * statement per batch: only the SIRETs whose row is missing, made by no import, or different come back;
 * the unchanged ones come back as one count and their sums. Re-importing a national file then reads
 * back only what changed.
 */
import { sql } from 'drizzle-orm';
import type { Cents } from '../../domain/money.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import type { EnvelopeInputRow } from './aggregation.js';
import { big, pgArray, rowOf, type EnvelopeRow, type StoredRow } from './envelope-rows.js';
import { emptyTotals, type EnvelopeTotals } from './import-report.js';
import type { Provenance } from './provenance.js';

/** A declaration whose stored row differs (or is missing: `old` null), with what its row carries in. */
export interface ChangedDeclaration {
  input: EnvelopeInputRow;
  old: EnvelopeRow | null;
  cin: Cents;
}

export interface Comparison {
  changed: ChangedDeclaration[];
  unchanged: number;
  unchangedTotals: EnvelopeTotals;
}

/** A line of the comparison: a changed declaration (`i` ≥ 1, its stored row), or the unchanged ones' sums (`i` = 0). */
interface ComparedRow extends Omit<StoredRow, 'siret'> {
  i: number;
  e_siret: string | null;
  cin: string | null;
  n: string | null;
  ecretement: string | null;
}

/**
 * Compares declarations with the stored rows of year `y`: the declarations whose row is missing, made
 * by no import, or differs in amounts, collector, period, déclarant, deposit date or carry-in (with the
 * stored row and the carry-in), and the count and sums of the unchanged ones.
 */
export async function compareBatch(tx: Tx, y: number, batch: readonly EnvelopeInputRow[], provenance: Provenance): Promise<Comparison> {
  const rows = await selectRows<ComparedRow>(tx, comparison(y, declarationArrays(batch, provenance)));
  const changed: ChangedDeclaration[] = [];
  let sums: { unchanged: number; totals: EnvelopeTotals } = { unchanged: 0, totals: emptyTotals() };
  for (const r of rows) {
    const i = Number(r.i);
    if (i === 0) sums = unchangedSums(r);
    else changed.push({ input: batch[i - 1]!, old: r.e_siret === null ? null : rowOf({ ...r, siret: r.e_siret }), cin: big(r.cin) });
  }
  return { changed, unchanged: sums.unchanged, unchangedTotals: sums.totals };
}

/** The declarations as the arrays the statement unnests, and their SIRET range. */
function declarationArrays(batch: readonly EnvelopeInputRow[], provenance: Provenance) {
  const n = batch.length;
  const a = {
    siret: new Array<string>(n),
    collecteur: new Array<string>(n),
    solde: new Array<string>(n),
    deductions: new Array<string>(n),
    periode: new Array<string | null>(n),
    declSiret: new Array<string | null>(n),
    declNom: new Array<string | null>(n),
    depose: new Array<string | null>(n),
    min: '',
    max: '',
  };
  for (let k = 0; k < n; k++) {
    const d = batch[k]!;
    a.siret[k] = d.siret;
    a.collecteur[k] = d.collecteur;
    a.solde[k] = d.soldeCents.toString();
    a.deductions[k] = (d.subventionsCfaCents + d.creanceAlternantsCents).toString();
    a.periode[k] = provenance.periode(d);
    a.declSiret[k] = d.declarant?.siret ?? null;
    a.declNom[k] = d.declarant?.nom ?? null;
    const ms = provenance.deposeMs(d);
    a.depose[k] = ms === null ? null : new Date(ms).toISOString();
  }
  // the batch's SIRET range (inputs come sorted by SIRET): the rows to compare are read by an index range
  // scan, not by scanning the whole year for every batch
  a.min = a.siret[0] ?? '';
  a.max = a.min;
  for (const x of a.siret) {
    if (x < a.min) a.min = x;
    if (x > a.max) a.max = x;
  }
  return a;
}

function comparison(y: number, a: ReturnType<typeof declarationArrays>) {
  return sql`with v as (
          select * from unnest(${pgArray(a.siret, false)}::text[], ${pgArray(a.collecteur, false)}::text[], ${pgArray(a.solde, false)}::int8[],
            ${pgArray(a.deductions, false)}::int8[], ${pgArray(a.periode, 'auto')}::text[], ${pgArray(a.declSiret, 'auto')}::text[],
            ${pgArray(a.declNom, true)}::text[], ${pgArray(a.depose, false)}::timestamptz[]) with ordinality
            as v(siret, collecteur, solde, deductions, periode, decl_siret, decl_nom, depose, i)
        ), j as (
          select v.i, e.siret as e_siret, e.collecteur, e.solde_cents, e.deductions_cents, e.frais_cents, e.credits_cents, e.reverse_cents,
            e.frais_operateur_cents, e.report_cents, e.periode, e.declarant_siret, e.declarant_nom, e.depose_le, coalesce(p.report_cents, 0) as cin,
            (e.siret is null or e.periode is null or e.collecteur <> v.collecteur or e.solde_cents <> v.solde
              or e.deductions_cents <> v.deductions or e.periode is distinct from v.periode
              or e.declarant_siret is distinct from v.decl_siret or e.declarant_nom is distinct from v.decl_nom
              or e.depose_le is distinct from v.depose
              or e.credits_cents + e.report_cents - (greatest(e.solde_cents - e.deductions_cents, 0) - e.frais_cents) <> coalesce(p.report_cents, 0)) as changed
          from v
          left join enveloppes e on e.annee = ${y} and e.siret = v.siret and e.siret between ${a.min} and ${a.max}
          left join enveloppes p on p.annee = ${y - 1} and p.siret = v.siret and p.siret between ${a.min} and ${a.max}
        )
        select i::int as i, e_siret, collecteur, solde_cents::text as solde, deductions_cents::text as deductions, frais_cents::text as frais,
          credits_cents::text as credits, reverse_cents::text as reverse, frais_operateur_cents::text as frais_operateur,
          report_cents::text as report, periode, declarant_siret, declarant_nom, (extract(epoch from depose_le) * 1000)::bigint::text as depose_ms,
          cin::text as cin, null::text as n, null::text as ecretement
          from j where changed
        union all
        select 0, null, null, sum(solde_cents)::text, sum(deductions_cents)::text, sum(frais_cents)::text, sum(credits_cents)::text, null,
          sum(frais_operateur_cents)::text, sum(report_cents)::text, null, null, null, null, sum(cin)::text, count(*)::text,
          sum(greatest(deductions_cents - solde_cents, 0))::text
          from j where not changed`;
}

/** The count and sums of the unchanged declarations (the line `i` = 0). */
function unchangedSums(r: ComparedRow): { unchanged: number; totals: EnvelopeTotals } {
  const t = emptyTotals();
  const unchanged = Number(r.n ?? 0);
  if (unchanged > 0) {
    t.envelopes = unchanged;
    t.soldeCents = big(r.solde);
    t.deductionsCents = big(r.deductions);
    t.ecretementCents = big(r.ecretement);
    t.netCents = t.soldeCents - t.deductionsCents + t.ecretementCents;
    t.fraisCents = big(r.frais);
    t.fraisOperateurCents = big(r.frais_operateur);
    t.fraisCollecteurCents = t.fraisCents - t.fraisOperateurCents;
    t.creditsCents = big(r.credits);
    t.reportCents = big(r.report);
    t.reportRecuCents = big(r.cin);
  }
  return { unchanged, totals: t };
}
