/**
 * `npx tsx bench/enveloppes.ts`: importing the national envelope file (target: 1,700,000 lines in under
 * 2 minutes on PostgreSQL). Not a timed test: it prints medians, throughput, the ratio to a baseline
 * measured in the same run, and memory.
 *
 *   npx tsx bench/enveloppes.ts                                                             # PostgreSQL if BENCH_DATABASE_URL is set, and PGlite
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/enveloppes.ts   # a fresh database per run, dropped at the end
 *
 * Environment: BENCH_ENVELOPE_LINES (1,700,000), BENCH_REPEAT (3 runs per database), BENCH_DB
 * (`both`, `postgres` or `pglite`), BENCH_KEEP_FILE=1 (keep the generated CSV), BENCH_ENVELOPE_FILE (use this
 * file instead of generating one), BENCH_PARSE_ONLY=1 (generate and time the parse, no database).
 *
 * What is measured, per run, on a fresh database (migrations not timed):
 * - **import**: `importEnveloppes` as the CLI runs it (read, parse, aggregate, compute the envelopes and
 *   the operator's fee sharing, write in one transaction, read the totals back and reconcile), with its
 *   phases (lecture, calcul, écriture);
 * - **baseline « COPY »**: the rows the import wrote, exported as CSV, loaded with COPY into an empty
 *   copy of the table (same indexes): the floor for writing these rows on that database (PostgreSQL:
 *   server-side `COPY … FROM '<file>'`, which needs a superuser and a server on this machine — else a
 *   multi-row INSERT without conflict handling, said in the output; PGlite: `COPY … FROM '/dev/blob'`);
 * - **parse alone**: reading, parsing and aggregating the file, no database (second reference);
 * - **re-import**: the same file again (idempotent: every envelope unchanged), once per database.
 * Memory: peak RSS of the process and heap after each import.
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { sql } from 'drizzle-orm';
import { makeValidSiren, makeValidSiret } from '../src/domain/identifiers.js';
import { migrateDatabase, selectRows, type Database } from '../src/infra/db/index.js';
import { createRng } from '../src/demo/registry.js';
import { createEnvelopeAggregator, parseEnvelopeFile } from '../src/modules/enveloppes/format.js';
import { importEnveloppes, type EnvelopeImportReport } from '../src/modules/enveloppes/import.js';
import { freshBenchDatabase } from './setup.js';
import { intEnv, median } from './stats.js';

const LINES = intEnv('BENCH_ENVELOPE_LINES', 1_700_000, 1_000, 5_000_000);
const REPEAT = intEnv('BENCH_REPEAT', 3, 1, 20);
const WHICH = process.env.BENCH_DB ?? 'both';
const TARGET_S = 120;
const ANNEE = 2025;
/** the 2023 arrêté's fee: the national file bears the national fee */
const FEE = 1_122_542_400n;

const mb = (b: number) => Math.round(b / 1024 / 1024);
const s = (ms: number) => (ms / 1000).toFixed(1);
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

// ── the national file ───────────────────────────────────────────────────────────────────────────────

/**
 * One line per amount, like the collectors' files: every SIRET a 076, about 9 % a 078 or 077, 5 % MSA,
 * 1 % a corrective deposit in June; déclarants among 2,000 accounting firms or the company itself.
 */
async function writeNationalFile(path: string, lines: number): Promise<{ lines: number; sirets: number; bytes: number }> {
  const rng = createRng(1_700_000);
  const out = createWriteStream(path);
  let chunk: string[] = ['siret;collecteur;code;montant;periode;siret_declarant;declarant;date_depot'];
  let written = 0;
  let sirets = 0;
  let bytes = 0;
  const firms = Array.from({ length: 2000 }, (_, i) => ({
    siret: makeValidSiret(makeValidSiren(String(30_000_000 + i * 37)), '0001'),
    nom: `CABINET D’EXPERTISE COMPTABLE N° ${i + 1}`,
  }));
  const flush = async () => {
    const text = chunk.join('\n') + '\n';
    bytes += Buffer.byteLength(text);
    chunk = [];
    if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  const euros = (c: number) => `${Math.floor(c / 100)},${String(c % 100).padStart(2, '0')}`;
  for (let i = 0; written < lines; i++) {
    // SIRENs spread over 1xxxxxxxx–8xxxxxxxx, one to a few établissements each
    const siren = makeValidSiren(String(10_000_000 + ((i * 40_503) % 79_000_000)));
    const siret = makeValidSiret(siren, String(1 + (i % 7)).padStart(4, '0'));
    sirets++;
    const collecteur = rng.chance(0.05) ? 'MSA' : 'URSSAF';
    const size = rng.next();
    const payroll =
      size < 0.6 ? rng.between(8_000, 120_000) : size < 0.95 ? rng.between(120_000, 2_000_000) : rng.between(2_000_000, 60_000_000);
    const solde = Math.round(payroll * 0.09); // cents: payroll (€) × 0.09 % × 100
    const f = rng.chance(0.35) ? firms[rng.int(firms.length)]! : { siret, nom: `ENTREPRISE ${siren}` };
    const day = payroll > 1_500_000 ? '05/05/2025' : '15/05/2025';
    const base = `;2024;${f.siret};${f.nom};${day} ${String(rng.between(8, 19)).padStart(2, '0')}:${String(rng.int(60)).padStart(2, '0')}`;
    chunk.push(`${siret};${collecteur};076;${euros(solde)}${base}`);
    written++;
    if (written < lines && rng.chance(0.09)) {
      chunk.push(
        `${siret};${collecteur};${rng.chance(0.7) ? '078' : '077'};${euros(Math.floor((solde * rng.between(5, 40)) / 100))}${base}`,
      );
      written++;
    }
    if (written < lines && rng.chance(0.01)) {
      chunk.push(
        `${siret};${collecteur};076;${euros(Math.floor((solde * rng.between(90, 115)) / 100))};2024;${f.siret};${f.nom};05/06/2025 10:00`,
      );
      written++;
    }
    if (chunk.length >= 20_000) await flush();
  }
  await flush();
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return { lines: written, sirets, bytes };
}

// ── measures ────────────────────────────────────────────────────────────────────────────────────────

interface ImportRun {
  totalMs: number;
  phases: Record<string, number>;
  heapMb: number;
  report: EnvelopeImportReport;
}

async function timedImport(database: Database, file: string): Promise<ImportRun> {
  const started = performance.now();
  const firstSeen: Record<string, number> = {};
  const report = await importEnveloppes(database.db, ANNEE, [file], {
    now: new Date('2025-05-20T08:00:00Z'),
    operatorFeeCents: FEE,
    onProgress: (p) => {
      if (firstSeen[p.phase] === undefined) firstSeen[p.phase] = performance.now() - started;
    },
  });
  const totalMs = performance.now() - started;
  if (!report.ok)
    throw new Error(
      `import refused: ${report.rejected
        .slice(0, 3)
        .map((r) => r.message)
        .join(' ')}`,
    );
  const order = ['lecture', 'calcul', 'ecriture'];
  const phases: Record<string, number> = {};
  order.forEach((ph, i) => {
    const from = firstSeen[ph];
    if (from === undefined) return;
    const next =
      order
        .slice(i + 1)
        .map((x) => firstSeen[x])
        .find((x) => x !== undefined) ?? totalMs;
    phases[ph] = next - from;
  });
  return { totalMs, phases, heapMb: mb(process.memoryUsage().heapUsed), report };
}

/** The rows of the year as CSV (exactly what the import wrote), in the table's column order. */
const COLS =
  'annee, siret, collecteur, solde_cents, deductions_cents, frais_cents, credits_cents, partage_coordonnees, reverse_cents, frais_operateur_cents, report_cents, periode, declarant_siret, declarant_nom, depose_le, updated_at';

async function exportRows(database: Database, path: string): Promise<number> {
  const cols = COLS;
  const out = createWriteStream(path);
  let n = 0;
  const q = (v: string | null) => (v === null ? '' : `"${v.replace(/"/g, '""')}"`);
  for (let offset = 0; ; offset += 200_000) {
    const rows = await selectRows<Record<string, string | null>>(
      database.db,
      sql.raw(
        `select ${cols
          .split(', ')
          .map((c) => `${c}::text`)
          .join(', ')} from enveloppes where annee = ${ANNEE} order by siret limit 200000 offset ${offset}`,
      ),
    );
    if (rows.length === 0) break;
    const text = rows.map((r) => Object.values(r).map(q).join(',')).join('\n') + '\n';
    if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
    n += rows.length;
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return n;
}

async function copyBaseline(database: Database, csvPath: string): Promise<{ ms: number; how: string }> {
  await database.db.execute(sql.raw('create table enveloppes_copie (like enveloppes including all)'));
  const started = performance.now();
  let how: string;
  if (database.kind === 'pglite') {
    const client = (database.db as unknown as { $client: { query(q: string, p: unknown[], o: { blob: Blob }): Promise<unknown> } }).$client;
    await client.query(`copy enveloppes_copie (${COLS}) from '/dev/blob' with (format csv)`, [], {
      blob: new Blob([readFileSync(csvPath)]),
    });
    how = 'COPY FROM /dev/blob';
  } else {
    try {
      // the server process reads the file: it must be able to reach it
      chmodSync(dirname(csvPath), 0o755);
      chmodSync(csvPath, 0o644);
      await database.db.execute(sql.raw(`copy enveloppes_copie (${COLS}) from '${csvPath.replace(/'/g, "''")}' with (format csv)`));
      how = 'COPY FROM fichier (serveur)';
    } catch {
      // not a superuser, or a server elsewhere: multi-row INSERT of the same rows, no conflict handling
      await database.db.execute(sql.raw('truncate enveloppes_copie'));
      await database.db.execute(sql.raw(`insert into enveloppes_copie select * from enveloppes where annee = ${ANNEE}`));
      how = 'INSERT … SELECT (COPY refusé)';
    }
  }
  const ms = performance.now() - started;
  const [row] = await selectRows<{ n: number }>(database.db, sql.raw('select count(*)::int as n from enveloppes_copie'));
  const n = row?.n;
  if (!n) throw new Error('baseline copied no row');
  return { ms, how };
}

function parseAlone(file: string): number {
  const started = performance.now();
  const a = createEnvelopeAggregator();
  const p = parseEnvelopeFile(readFileSync(file), { annee: ANNEE, fichier: file, sink: a.addLine });
  const r = a.result();
  if (!p.ok || r.envelopes.length === 0) throw new Error('parse failed');
  return performance.now() - started;
}

interface DbResult {
  label: string;
  imports: ImportRun[];
  baselines: { ms: number; how: string }[];
  reimportMs: number | null;
  reimportUnchanged: number | null;
}

async function runDatabase(kind: 'postgres' | 'pglite', file: string, tmp: string): Promise<DbResult> {
  const url = kind === 'postgres' ? process.env.BENCH_DATABASE_URL : undefined;
  const result: DbResult = { label: '', imports: [], baselines: [], reimportMs: null, reimportUnchanged: null };
  for (let i = 0; i < REPEAT; i++) {
    const fresh = await freshBenchDatabase(url);
    result.label = fresh.label;
    try {
      await migrateDatabase(fresh.database);
      const run = await timedImport(fresh.database, file);
      result.imports.push(run);
      console.log(
        `  ${fresh.kind} run ${i + 1}: import ${s(run.totalMs)} s (lecture ${s(run.phases.lecture ?? 0)}, calcul ${s(run.phases.calcul ?? 0)}, écriture ${s(run.phases.ecriture ?? 0)}), ` +
          `${run.report.envelopes.inserted} envelopes, reconciled: ${run.report.rapprochement}, heap ${run.heapMb} MB, peak RSS ${peakRssMb()} MB`,
      );
      const csv = join(tmp, `rows-${kind}.csv`);
      await exportRows(fresh.database, csv);
      const b = await copyBaseline(fresh.database, csv);
      result.baselines.push(b);
      console.log(`  ${fresh.kind} run ${i + 1}: baseline ${b.how} ${s(b.ms)} s`);
      rmSync(csv, { force: true });
      if (i === 0) {
        const started = performance.now();
        const again = await importEnveloppes(fresh.database.db, ANNEE, [file], {
          now: new Date('2025-06-20T08:00:00Z'),
          operatorFeeCents: FEE,
        });
        result.reimportMs = performance.now() - started;
        result.reimportUnchanged = again.envelopes.unchanged;
        console.log(
          `  ${fresh.kind} run ${i + 1}: re-import ${s(result.reimportMs)} s, ${again.envelopes.unchanged} unchanged, ${again.envelopes.updated} updated`,
        );
      }
    } finally {
      await fresh.drop();
    }
  }
  return result;
}

// ── main ────────────────────────────────────────────────────────────────────────────────────────────

const tmp = mkdtempSync(join(tmpdir(), 'bench-enveloppes-'));
const file = process.env.BENCH_ENVELOPE_FILE || join(tmp, 'enveloppes-nationales-2025.csv');
try {
  console.log(
    `Envelope import benchmark — ${cpus().length} CPU, ${mb(totalmem())} MB RAM, load ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}, Node ${process.version}`,
  );
  const t = performance.now();
  if (process.env.BENCH_ENVELOPE_FILE) console.log(`File: ${file} (given)`);
  else {
    const gen = await writeNationalFile(file, LINES);
    console.log(
      `File: ${gen.lines.toLocaleString('en')} lines, ${gen.sirets.toLocaleString('en')} SIRETs, ${mb(gen.bytes)} MB, generated in ${s(performance.now() - t)} s`,
    );
  }

  const parses: number[] = [];
  for (let i = 0; i < REPEAT; i++) parses.push(parseAlone(file));
  console.log(`Parse alone (read + parse + aggregate, no database): ${parses.map(s).join(', ')} s`);

  const kinds: ('postgres' | 'pglite')[] = [];
  if (process.env.BENCH_PARSE_ONLY === '1') {
    /* parse only */
  } else if ((WHICH === 'both' || WHICH === 'postgres') && process.env.BENCH_DATABASE_URL) kinds.push('postgres');
  else if (WHICH === 'postgres') throw new Error('BENCH_DB=postgres needs BENCH_DATABASE_URL');
  if (process.env.BENCH_PARSE_ONLY !== '1' && (WHICH === 'both' || WHICH === 'pglite')) kinds.push('pglite');

  const results: DbResult[] = [];
  for (const kind of kinds) {
    console.log(`\n${kind}:`);
    results.push(await runDatabase(kind, file, tmp));
  }

  const parseMedian = median(parses);
  console.log(`\nSummary (${LINES.toLocaleString('en')} lines, median of ${REPEAT} run(s), load now ${loadavg()[0]!.toFixed(1)})`);
  const rows: string[][] = [
    [
      'database',
      'import (s)',
      'lines/s',
      'lecture',
      'calcul',
      'écriture',
      'baseline COPY (s)',
      'import / COPY',
      'import / parse',
      're-import (s)',
      'target < 120 s (PostgreSQL)',
    ],
  ];
  for (const r of results) {
    const imp = median(r.imports.map((x) => x.totalMs));
    const base = median(r.baselines.map((x) => x.ms));
    const ph = (k: string) => s(median(r.imports.map((x) => x.phases[k] ?? 0)));
    rows.push([
      r.label,
      s(imp),
      Math.round(LINES / (imp / 1000)).toLocaleString('en'),
      ph('lecture'),
      ph('calcul'),
      ph('ecriture'),
      `${s(base)} (${r.baselines[0]?.how ?? ''})`,
      `${(imp / base).toFixed(1)}×`,
      `${(imp / parseMedian).toFixed(1)}×`,
      r.reimportMs === null ? '' : `${s(r.reimportMs)} (${r.reimportUnchanged} unchanged)`,
      // the target is PostgreSQL's (production); PGlite (demo, development) is reported against it for information
      `${imp / 1000 < TARGET_S ? `met (${s(TARGET_S * 1000 - imp)} s margin)` : `missed by ${s(imp - TARGET_S * 1000)} s`}${r.label.startsWith('PGlite') ? ', for information' : ''}`,
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | '));
  console.log(`Parse alone: median ${s(parseMedian)} s. Peak RSS of the process: ${peakRssMb()} MB.`);
  if (process.env.BENCH_KEEP_FILE === '1')
    writeFileSync(
      join(tmp, 'results.json'),
      JSON.stringify(
        {
          lines: LINES,
          repeat: REPEAT,
          parses,
          results: results.map((r) => ({
            ...r,
            imports: r.imports.map((x) => ({ totalMs: x.totalMs, phases: x.phases, heapMb: x.heapMb })),
          })),
        },
        null,
        2,
      ),
    );
} finally {
  if (process.env.BENCH_KEEP_FILE === '1') console.log(`Kept: ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
