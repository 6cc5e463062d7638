/**
 * What « Versé le » costs the Synthèse (not application code): the Synthèse's one statement with and
 * without the per-line read of `lignes_versees` (src/modules/attributions/synthese.ts), as named prepared
 * statements on one connection of the database built by bench/allocations.ts (750,000 envelopes,
 * 6,000,000 allocations), interleaved employer by employer so that the machine's load weighs on both
 * alike. Twice: with no wave issued, then — inside a transaction rolled back at the end — after a wave
 * that paid every validated line of the sampled employers.
 *
 *   npx tsx bench/synthese-versements.ts      # BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_allocations), BENCH_SAMPLE (2000)
 */
import pg from 'pg';
import { SYNTHESE_SQL } from '../src/modules/attributions/synthese.js';

const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench_allocations';
const SAMPLE = Number(process.env.BENCH_SAMPLE ?? 2000);
const BEFORE_SQL = SYNTHESE_SQL.replace(/,\s*case when t\.statut = 'validee'[\s\S]*? end as verse/, '');
if (BEFORE_SQL === SYNTHESE_SQL) throw new Error('the statement without « Versé le » could not be derived');

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

async function measure(c: pg.Client, sirets: string[], label: string) {
  const t: Record<'avant' | 'après', number[]> = { avant: [], après: [] };
  for (const [i, siret] of sirets.entries()) {
    const order: ['avant' | 'après', string][] =
      i % 2
        ? [
            ['avant', BEFORE_SQL],
            ['après', SYNTHESE_SQL],
          ]
        : [
            ['après', SYNTHESE_SQL],
            ['avant', BEFORE_SQL],
          ];
    for (const [k, text] of order) {
      const s = performance.now();
      await c.query({ name: `whatif_synthese_${k === 'avant' ? 'a' : 'b'}`, text, values: [2025, siret] });
      t[k].push(performance.now() - s);
    }
  }
  for (const k of ['avant', 'après'] as const)
    console.log(
      `${label} — ${k === 'avant' ? 'without « Versé le »' : 'with « Versé le »   '}: p50 ${quantile(t[k], 0.5).toFixed(2)} ms, p95 ${quantile(t[k], 0.95).toFixed(2)} ms (${t[k].length} reads)`,
    );
}

async function main() {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ siret: string }>(
      `select siret from enveloppes tablesample system (1) where annee = 2025 order by random() limit ${SAMPLE}`,
    );
    const sirets = rows.map((r) => r.siret);
    await measure(c, sirets.slice(0, 200), 'warm-up');
    await measure(c, sirets, 'no wave issued');
    await c.query('begin');
    const { rows: w } = await c.query<{ id: string }>(
      `insert into vagues_versement (annee, numero, nature, date_execution, statut, preparee_le, emise_le, nb_virements, total_cents, msg_id)
       values (2025, 9, 'allocations', '2025-07-11', 'emise', now(), now(), 1, 0, 'BENCH') returning id`,
    );
    const { rows: cb } = await c.query<{ id: string }>(
      `insert into coordonnees_bancaires (siret, iban, bic, titulaire, statut, created_at) values ('00000000000000', 'FR7630004000031234567890143', 'BNPAFRPPXXX', 'BENCH', 'verifiee', now()) returning id`,
    );
    const { rows: vi } = await c.query<{ id: string }>(
      `insert into virements (vague_id, annee, beneficiaire_siret, beneficiaire_nom, montant_cents, numero, libelle, end_to_end_id, coordonnees_id, iban, bic, titulaire, statut)
       values ($1, 2025, '00000000000000', 'BENCH', 0, 999999, 'BENCH', 'BENCH-1', $2, 'FR7630004000031234567890143', 'BNPAFRPPXXX', 'BENCH', 'emis') returning id`,
      [w[0]!.id, cb[0]!.id],
    );
    const ins = await c.query(
      `insert into lignes_versees (attribution_id, vague_id, virement_id, annee, siret_employeur, montant_cents)
       select a.id, $1, $2, 2025, a.siret_employeur, 100 from attributions a
        where a.annee = 2025 and a.statut = 'validee' and a.siret_employeur = any($3)`,
      [w[0]!.id, vi[0]!.id, sirets],
    );
    await c.query('analyze lignes_versees');
    await measure(c, sirets, `after a wave (${ins.rowCount} lines paid)`);
    await c.query('rollback');
  } finally {
    await c.end();
  }
}

await main();
