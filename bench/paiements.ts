/**
 * Section `paiements` of `npm run bench` (bench/README.md): issue 12's payment targets on the national
 * data set of bench/allocations.ts (750,000 envelopes, 6,000,000 allocations, 12,000 establishments with
 * their composantes), PostgreSQL only. Not a timed test.
 *
 * Data: the allocations bench's database (ensureBenchDatabase, `bench_allocations`, built or reused;
 * BENCH_PAIEMENTS_EMPLOYERS gives a reduced scale, in its own database `bench_allocations_<n>`), plus what
 * payments need, kept with it (`bench_meta` key `paiements`): the funds received for every envelope, and
 * verified bank details for every establishment of the 2025 referential; two agents.
 *
 * Measures, each `BENCH_REPEAT` times (medians), each beside a baseline of the same run:
 * - preparing wave 1 of 2025 (`prepareWave`, the lines validated in period 1) against the same sums by one
 *   `GROUP BY` in SQL (expected amounts by floor, per beneficiary establishment, of the lines due);
 * - the wave's SEPA file (`writeWaveFile`, streamed to a temporary file) in a child process of its own,
 *   with its peak RSS (VmHWM), against the same child running the transfers' sums by one `GROUP BY`;
 * - the reliquat: `measureReliquat(db, annee)` of bench/paiements-reliquat.ts (its own baseline).
 * The rows a run adds (waves, transfers, lines paid, unpayable shares, their audit) are deleted at its end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppContext } from '../src/app-context.js';
import { ManualClock } from '../src/infra/clock.js';
import { loadConfig } from '../src/infra/config.js';
import { openDatabase, type Database } from '../src/infra/db/index.js';
import { createMailDeliverer } from '../src/infra/mail.js';
import { prepareWave, type AgentRef } from '../src/modules/versements/preparation.js';
import { approveWave, cancelWave, issueWave } from '../src/modules/versements/vagues.js';
import { ANNEE, ensureBenchDatabase, q } from './allocations-setup.js';
import { ensurePaymentsData, removeWaves } from './paiements-setup.js';
import { runFileChild, type FileChildResult } from './paiements-file.js';
import { measureReliquat, type ReliquatMeasure } from './paiements-reliquat.js';
import { fmt, table } from './report.js';
import { intEnv, median } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const TARGETS = { prepareS: 60, fileS: 10, fileRssMb: 300, reliquatS: 60 };
/** 11 July 2025, 10:00 in Paris: the day of wave 1 of the 2025 calendar (period 1) */
const WAVE_1_DAY = new Date('2025-07-11T08:00:00Z');

export interface PaymentTarget {
  target: string;
  measured: string;
  goal: string;
  met: boolean;
  margin: string;
}

export interface PaiementsResult {
  database: string;
  employeurs: number;
  attributions: number;
  setupMs: number;
  loadavgAtStart: number[];
  wave: { virements: number; totalCents: string; nonVersables: number; baselineTotalCents: string };
  prepareMs: number[];
  baselineMs: number[];
  approveMs: number;
  issueMs: number;
  file: FileChildResult[];
  fileBaseline: FileChildResult[];
  reliquat: ReliquatMeasure;
  targets: PaymentTarget[];
}

const ms = (t0: number) => performance.now() - t0;
const la = () => loadavg().map((v) => Math.round(v * 100) / 100);

/**
 * The same sums as the wave, by one GROUP BY: per establishment SIRET (every one has verified bank details
 * here, so it is the beneficiary), the floor of each due line's share of its employer's crédits — what the
 * wave computes without the largest remainder, the subtraction of earlier payments and the reasons.
 */
async function baselineGroupBy(database: Database): Promise<{ ms: number; totalCents: bigint; groups: number }> {
  const t0 = performance.now();
  const rows = await q<{ n: string; total: string }>(
    database,
    `select count(*) as n, coalesce(sum(cents), 0)::text as total from (
       select r.siret, sum(e.credits_cents * a.points_base / 10000) as cents
         from attributions a
         join enveloppes e on e.annee = a.annee and e.siret = a.siret_employeur
         join ref_etablissements r on r.id = a.etablissement_id
        where a.annee = ${ANNEE} and a.statut = 'validee' and a.valide_periode <= 1
          and exists (select 1 from encaissements x where x.annee = a.annee and x.siret = a.siret_employeur)
        group by 1) g`,
  );
  return { ms: ms(t0), totalCents: BigInt(rows[0]!.total), groups: Number(rows[0]!.n) };
}

function contextOn(database: Database): AppContext {
  const clock = new ManualClock(WAVE_1_DAY);
  const config = loadConfig({ NODE_ENV: 'test' });
  return { db: database.db, dbKind: database.kind, config, clock, mail: createMailDeliverer(database.db, clock, undefined, '') };
}

/** Prepares wave 1 `repeat` times (each preparation cancelled before the next, outside the timing), then approves and issues the last. */
async function measureWave(database: Database, agents: { g: AgentRef; v: AgentRef }, repeat: number, log: (s: string) => void) {
  const ctx = contextOn(database);
  const prepareMs: number[] = [];
  const baselineMs: number[] = [];
  let last: { vagueId: number; nbVirements: number; totalCents: bigint; nonVersables: number } | null = null;
  let baselineTotal = 0n;
  for (let i = 0; i < repeat; i++) {
    if (last) {
      const c = await cancelWave(ctx, agents.g, last.vagueId);
      if (!c.ok) throw new Error(c.problem.message);
      await q(database, 'vacuum analyze vagues_versement, virements, lignes_versees, non_versables');
    }
    const b = await baselineGroupBy(database);
    baselineMs.push(b.ms);
    baselineTotal = b.totalCents;
    const t0 = performance.now();
    const r = await prepareWave(ctx, agents.g, ANNEE, 1);
    prepareMs.push(ms(t0));
    if (!r.ok) throw new Error(r.problem.message);
    last = r;
    log(
      `  run ${i + 1}: GROUP BY ${fmt(b.ms / 1000)} s (${b.groups} SIRETs, ${b.totalCents} cents) · prepareWave ${fmt(prepareMs.at(-1)! / 1000)} s (${r.nbVirements} transfers, ${r.totalCents} cents: +${r.totalCents - b.totalCents} of largest remainders; ${r.nonVersables} unpayable shares)`,
    );
  }
  let t0 = performance.now();
  const a = await approveWave(ctx, agents.v, last!.vagueId);
  if (!a.ok) throw new Error(a.problem.message);
  const approveMs = ms(t0);
  t0 = performance.now();
  const issued = await issueWave(ctx, agents.v, last!.vagueId);
  if (!issued.ok) throw new Error(issued.problem.message);
  const issueMs = ms(t0);
  log(`  approveWave ${fmt(approveMs)} ms · issueWave ${fmt(issueMs / 1000)} s (writes the file once to hash it, in its transaction)`);
  return { prepareMs, baselineMs, approveMs, issueMs, last: last!, baselineTotal, sha256: issued.wave.fichierSha256 };
}

/** The reliquat: `measureReliquat` of bench/paiements-reliquat.ts (simulateReliquat beside its GROUP BY, rolled back). */
async function measureReliquatOf(database: Database, repeat: number, log: (s: string) => void): Promise<ReliquatMeasure> {
  return measureReliquat(database.db, ANNEE, { runs: repeat, log });
}

function targetsOf(r: Omit<PaiementsResult, 'targets'>): PaymentTarget[] {
  const t: PaymentTarget[] = [];
  const prep = median(r.prepareMs) / 1000;
  const base = median(r.baselineMs) / 1000;
  t.push({
    target: `preparing wave 1 (${r.wave.virements} transfers from ${r.attributions.toLocaleString('en')} allocations)`,
    measured: `${fmt(prep)} s (GROUP BY ${fmt(base)} s, ×${fmt(prep / base)})`,
    goal: `< ${TARGETS.prepareS} s`,
    met: prep < TARGETS.prepareS,
    margin: prep < TARGETS.prepareS ? `${fmt(TARGETS.prepareS - prep)} s to spare` : `${fmt(prep - TARGETS.prepareS)} s over`,
  });
  const file = median(r.file.map((f) => f.ms)) / 1000;
  const fileBase = median(r.fileBaseline.map((f) => f.ms)) / 1000;
  t.push({
    target: `SEPA file of ${r.wave.virements} transfers (child process)`,
    measured: `${fmt(file)} s (GROUP BY ${fmt(fileBase)} s, ×${fmt(file / fileBase)})`,
    goal: `< ${TARGETS.fileS} s`,
    met: file < TARGETS.fileS,
    margin: file < TARGETS.fileS ? `${fmt(TARGETS.fileS - file)} s to spare` : `${fmt(file - TARGETS.fileS)} s over`,
  });
  const rss = Math.max(...r.file.map((f) => f.vmHwmMb));
  const rssBase = Math.max(...r.fileBaseline.map((f) => f.vmHwmMb));
  t.push({
    target: 'SEPA file: peak RSS of its process (VmHWM)',
    measured: `${fmt(rss)} MB (GROUP BY child ${fmt(rssBase)} MB, +${fmt(rss - rssBase)} MB)`,
    goal: `< ${TARGETS.fileRssMb} MB`,
    met: rss < TARGETS.fileRssMb,
    margin: rss < TARGETS.fileRssMb ? `${fmt(TARGETS.fileRssMb - rss)} MB to spare` : `${fmt(rss - TARGETS.fileRssMb)} MB over`,
  });
  const rel = r.reliquat.simulationMs / 1000;
  t.push({
    target: 'reliquat (simulateReliquat, bench/paiements-reliquat.ts)',
    measured: `${fmt(rel)} s (GROUP BY ${fmt(r.reliquat.baselineMs / 1000)} s, ×${fmt(r.reliquat.ratio)})`,
    goal: `< ${TARGETS.reliquatS} s`,
    met: rel < TARGETS.reliquatS,
    margin: rel < TARGETS.reliquatS ? `${fmt(TARGETS.reliquatS - rel)} s to spare` : `${fmt(rel - TARGETS.reliquatS)} s over`,
  });
  return t;
}

async function measureFile(url: string, vagueId: number, repeat: number, log: (s: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sepa-'));
  try {
    const file: FileChildResult[] = [];
    const fileBaseline: FileChildResult[] = [];
    for (let i = 0; i < repeat; i++) {
      fileBaseline.push(await runFileChild(here, { url, vagueId, mode: 'group-by' }));
      file.push(await runFileChild(here, { url, vagueId, mode: 'file', out: join(dir, `vague-${i}.xml`) }));
      const f = file.at(-1)!;
      const b = fileBaseline.at(-1)!;
      log(
        `  run ${i + 1}: GROUP BY child ${fmt(b.ms)} ms, VmHWM ${fmt(b.vmHwmMb)} MB · file ${fmt(f.ms / 1000)} s, ${fmt(f.bytes / 1e6)} MB, VmHWM ${fmt(f.vmHwmMb)} MB (${f.sha256.slice(0, 12)}…)`,
      );
    }
    if (new Set(file.map((f) => f.sha256)).size !== 1) throw new Error('the runs wrote different files');
    return { file, fileBaseline };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function paiementsSection(opts: { repeat: number; log: (s: string) => void }): Promise<PaiementsResult> {
  const { repeat, log } = opts;
  const employeurs = intEnv('BENCH_PAIEMENTS_EMPLOYERS', 750_000, 1_000, 2_000_000);
  const base = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = employeurs === 750_000 ? 'bench_allocations' : `bench_allocations_${employeurs}`;
  const loadavgAtStart = la();
  log(`\n▶ paiements: ${employeurs.toLocaleString('en')} envelopes (database ${name}), load average ${loadavgAtStart.join(' ')}`);
  const t0 = performance.now();
  const { url, info, reused } = await ensureBenchDatabase(base, name, employeurs, false);
  const database = await openDatabase({ url });
  try {
    await removeWaves(database);
    const agents = await ensurePaymentsData(database, log);
    const setupMs = ms(t0);
    log(
      `  data set ${reused ? 'reused' : 'built'}: ${info.attributions.toLocaleString('en')} allocations; ready in ${fmt(setupMs / 1000)} s`,
    );
    const w = await measureWave(database, agents, repeat, log);
    const f = await measureFile(url, w.last.vagueId, repeat, log);
    if (f.file[0]!.sha256 !== w.sha256) throw new Error('the file written again differs from the one issued');
    const reliquat = await measureReliquatOf(database, repeat, log);
    const result = {
      database: name,
      employeurs,
      attributions: info.attributions,
      setupMs,
      loadavgAtStart,
      wave: {
        virements: w.last.nbVirements,
        totalCents: String(w.last.totalCents),
        nonVersables: w.last.nonVersables,
        baselineTotalCents: String(w.baselineTotal),
      },
      prepareMs: w.prepareMs,
      baselineMs: w.baselineMs,
      approveMs: w.approveMs,
      issueMs: w.issueMs,
      ...f,
      reliquat,
    };
    return { ...result, targets: targetsOf(result) };
  } finally {
    await removeWaves(database);
    await database.close();
  }
}

/** The section's own table (the targets go into the run's Targets table). */
export function paiementsTable(r: PaiementsResult): string {
  const row = (what: string, runs: number[], base: number[]) => [
    what,
    runs.length,
    median(runs) / 1000,
    median(base) / 1000,
    median(runs) / Math.max(1e-9, median(base)),
  ];
  return table(
    ['measure (median of runs)', 'runs', 's', 'baseline GROUP BY s', 'ratio'],
    [
      row('prepareWave, wave 1', r.prepareMs, r.baselineMs),
      row(
        'SEPA file (child process)',
        r.file.map((f) => f.ms),
        r.fileBaseline.map((f) => f.ms),
      ),
      ['reliquat (simulateReliquat)', r.reliquat.runs, r.reliquat.simulationMs / 1000, r.reliquat.baselineMs / 1000, r.reliquat.ratio],
    ],
  );
}
