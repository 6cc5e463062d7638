/**
 * `npx tsx bench/allocations.ts`: employers' allocations at national scale. Not a timed test.
 *
 *   npx tsx bench/allocations.ts            # builds (or reuses) the database bench_allocations, then measures
 *   npx tsx bench/allocations.ts --fresh    # rebuilds it first
 *   npx tsx bench/allocations.ts --setup-only   # builds or checks it, measures nothing
 *
 * Targets: 750,000 envelopes and 6,000,000 allocations; « saving an allocation » p95 ≤ 20 ms and the
 * « Synthèse » p95 ≤ 20 ms at 50 concurrent users on PostgreSQL; figures with a baseline of the same run.
 * PostgreSQL only (6,000,000 rows are beyond what the in-memory PGlite is for).
 *
 * Data: bench/allocations-setup.ts (kept in the database `bench_allocations` on the server of
 * BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres; reused while it holds the
 * expected rows). What is measured, with the application's own functions and pool (openDatabase):
 * - `Synthèse`: loadSynthese(db, now, 2025, siret) of a random employer;
 * - `modifier`: changeChoices kind 'modifier' (one line of a random employer to a new percentage,
 *   expectedVersion null), the transaction of « Modifier » then « Valider mon attribution »;
 * - `ajouter`: changeChoices kind 'ajouter' (a formation of the referential at 1 % to a random
 *   employer), « Enregistrer mes choix » on a fiche;
 * - baseline, same workers, same pool: `select 1`, and the primary-key read of one envelope.
 * Each runs BENCH_ALLOC_SECONDS (20) with BENCH_ALLOC_WORKERS (50) async loops back to back (closed
 * loop: latency ≈ workers ÷ throughput), then paced (each of the 50 users one action every
 * BENCH_ALLOC_INTERVAL_MS, 1000; latency counted from the scheduled time), then by 1 worker (no
 * queueing). The closed-loop measures run with the application's pool and again with a pool of
 * BENCH_ALLOC_POOL_WIDE (50; 0 to skip). The clock is fixed inside period 1 of 2025 (2 June 2025).
 * What-if (bench/allocations-whatif.ts, checked to give the same results first; BENCH_ALLOC_WHATIF=0
 * skips it): « modifier » in 6 round trips instead of about 11 (the Synthèse's what-ifs became
 * loadSynthese itself). Then the statements of each operation, traced on one worker (mean
 * time per statement), and EXPLAIN (ANALYZE, BUFFERS) of each. BENCH_ALLOC_TRY_INDEX="create index …":
 * created in the bench database after the main measures, the closed-loop measures again, then dropped
 * (before/after). BENCH_ALLOC_PROFILE=1: CPU profile of this process during the closed-loop measures.
 *
 * The rows the run adds (allocations, audit events) are deleted at the end and the tables vacuumed, so the
 * cached database keeps its shape. Results: bench/results/allocations-<date>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { and, eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { ManualClock } from '../src/infra/clock.js';
import { openDatabase, type Database } from '../src/infra/db/index.js';
import { enveloppes } from '../src/infra/db/schema.js';
import { changeChoices, type ChangeResult } from '../src/modules/attributions/choix.js';
import { loadSynthese } from '../src/modules/attributions/synthese.js';
import { ANNEE, cleanupRun, employerSiret, ensureBenchDatabase, lineCapBp, q } from './allocations-setup.js';
import { modifierSixRoundTrips, sameSynthese } from './allocations-whatif.js';
import { machineTimes } from './phase.js';
import { Profiler, type ProfileSummary } from './profile.js';
import { intEnv, summarize, type LatencySummary } from './stats.js';

const EMPLOYEURS = intEnv('BENCH_ALLOC_EMPLOYERS', 750_000, 1_000, 2_000_000);
const SECONDS = intEnv('BENCH_ALLOC_SECONDS', 20, 1, 300);
const SINGLE_SECONDS = intEnv('BENCH_ALLOC_SINGLE_SECONDS', Math.max(1, Math.round(SECONDS / 2)), 1, 300);
const WORKERS = intEnv('BENCH_ALLOC_WORKERS', 50, 1, 500);
const INTERVAL_MS = intEnv('BENCH_ALLOC_INTERVAL_MS', 1000, 10, 60_000);
const POOL_WIDE = intEnv('BENCH_ALLOC_POOL_WIDE', 50, 0, 90);
const TRACE_N = intEnv('BENCH_ALLOC_TRACE', 200, 0, 10_000);
const SAMPLE = intEnv('BENCH_ALLOC_SAMPLE', 50_000, 100, 500_000);
const TRY_INDEX = process.env.BENCH_ALLOC_TRY_INDEX?.trim() || '';
/** BENCH_ALLOC_PROFILE=1: CPU profile of this process (the application's side) during the closed-loop measures of the operations */
const PROFILE = process.env.BENCH_ALLOC_PROFILE === '1';
/** BENCH_ALLOC_WHATIF=0: skip the what-ifs (bench/allocations-whatif.ts) */
const WHATIF = process.env.BENCH_ALLOC_WHATIF !== '0';
const FRESH = process.argv.includes('--fresh');
/** `--setup-only`: build (or check) the database, then stop */
const SETUP_ONLY = process.argv.includes('--setup-only');
const BASE_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = EMPLOYEURS === 750_000 ? 'bench_allocations' : `bench_allocations_${EMPLOYEURS}`;
const TARGET_MS = 20;
/** 2 June 2025, 10:00 in Paris: period 1 of the 2025 campaign (26 May – 27 June) */
const NOW = new Date('2025-06-02T08:00:00Z');
const ACTOR = { userId: '00000000-0000-4000-8000-00000000be01', espaceId: '00000000-0000-4000-8000-00000000be02', ip: '127.0.0.1' };

const log = (s = '') => process.stdout.write(`${s}\n`);
const f2 = (v: number) => (Number.isFinite(v) ? (v < 10 ? v.toFixed(2) : v.toFixed(1)) : '—');
const la = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');

// ── start ───────────────────────────────────────────────────────────────────────────────────────
const loadAtStart = la();
log(`allocations benchmark: ${EMPLOYEURS.toLocaleString('en')} employers, PostgreSQL database ${DB_NAME} on ${new URL(BASE_URL).host}`);
log(`machine: ${cpus().length} cores, load average at start ${loadAtStart}`);
const tSetup = performance.now();
log(FRESH ? 'setup (--fresh): building…' : 'setup: looking for a cached database…');
const { url, info, reused } = await ensureBenchDatabase(BASE_URL, DB_NAME, EMPLOYEURS, FRESH);
const setupMs = performance.now() - tSetup;
log(
  reused
    ? `  reused the cached database (built ${info.builtAt} in ${(info.setupMs / 1000).toFixed(0)} s; checked in ${(setupMs / 1000).toFixed(1)} s; --fresh rebuilds it)`
    : `  built in ${(info.setupMs / 1000).toFixed(1)} s`,
);
log(
  `  ${info.employeurs.toLocaleString('en')} envelopes, ${info.attributions.toLocaleString('en')} allocations, ${info.etablissements.toLocaleString('en')} referential rows, ${info.formations.toLocaleString('en')} formations (2024 + 2025)`,
);
if (SETUP_ONLY) process.exit(0);

// the application's database access, as createApp opens it (no pool size given)
const app = await openDatabase({ url });
const appPoolSize = (app.db as unknown as { $client: pg.Pool }).$client.options.max;
log(
  `application pool: ${appPoolSize} connections (openDatabase default; createApp passes none)${appPoolSize < WORKERS ? ` — fewer than the ${WORKERS} workers: queries queue in the pool` : ''}`,
);
const clock = new ManualClock(NOW);

// ── what the operations draw from ─────────────────────────────────────────────────────────────────
let seed = 20250602;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const randInt = (n: number) => Math.floor(rand() * n);
const randomSiret = () => employerSiret(randInt(EMPLOYEURS));

const t0 = performance.now();
const sampleIdx = [...new Set(Array.from({ length: SAMPLE }, () => randInt(EMPLOYEURS)))];
const sampleRows = await q<{ siret: string; n: number; ids: string[] }>(
  app,
  `select e.siret, e.n, array_agg(a.id::text) ids from bench_employeurs e join attributions a on a.annee = ${ANNEE} and a.siret_employeur = e.siret
   where e.i = any('{${sampleIdx.join(',')}}'::int[]) group by e.siret, e.n`,
);
const sample = sampleRows.map((r) => ({ siret: r.siret, cap: lineCapBp(r.n), ids: r.ids.map(Number) }));
const forms = await q<{ id: string; etablissement_id: string }>(app, `select id::text, etablissement_id::text from bench_cibles_form`);
const formId = Float64Array.from(forms, (f) => Number(f.id));
const formEtab = Float64Array.from(forms, (f) => Number(f.etablissement_id));
log(
  `  drawn from: all ${EMPLOYEURS.toLocaleString('en')} employers (Synthèse, ajouter), ${sample.length.toLocaleString('en')} sampled employers with their line ids (modifier), ${formId.length.toLocaleString('en')} formations (${Math.round(performance.now() - t0)} ms)`,
);

// ── the operations ────────────────────────────────────────────────────────────────────────────────
type Op = (db: Database) => Promise<void>;
const failures = new Map<string, number>();
const checkChange = (r: ChangeResult) => {
  if (!r.ok) {
    const k = r.errors.map((e) => e.code).join(',');
    failures.set(k, (failures.get(k) ?? 0) + 1);
    if ((failures.get(k) ?? 0) === 1) log(`    ! change refused (${r.problem.kind}): ${r.errors[0]?.message}`);
  }
};
const OPS: Record<string, Op> = {
  'select 1': async (d) => {
    await d.db.execute(sql`select 1`);
  },
  'envelope by PK': async (d) => {
    const s = randomSiret();
    const r = await d.db
      .select()
      .from(enveloppes)
      .where(and(eq(enveloppes.annee, ANNEE), eq(enveloppes.siret, s)));
    if (r.length !== 1) throw new Error(`no envelope for ${s}`);
  },
  Synthèse: async (d) => {
    const s = await loadSynthese(d.db, clock.now(), ANNEE, randomSiret());
    if (s.lines.length === 0 || !s.enveloppe) throw new Error(`empty Synthèse for ${s.siret}`);
  },
  modifier: async (d) => {
    const e = sample[randInt(sample.length)]!;
    const id = e.ids[randInt(e.ids.length)]!;
    const bp = 100 + randInt(e.cap - 99);
    checkChange(
      await changeChoices(
        { db: d.db, clock },
        { annee: ANNEE, siret: e.siret, actor: ACTOR, expectedVersion: null, change: { kind: 'modifier', id, bp }, source: 'bench' },
      ),
    );
  },
  'modifier 6 trips': async (d) => {
    const e = sample[randInt(sample.length)]!;
    const id = e.ids[randInt(e.ids.length)]!;
    checkChange(
      await modifierSixRoundTrips({ db: d.db, clock }, { annee: ANNEE, siret: e.siret, actor: ACTOR, id, bp: 100 + randInt(e.cap - 99) }),
    );
  },
  ajouter: async (d) => {
    const k = randInt(formId.length);
    checkChange(
      await changeChoices(
        { db: d.db, clock },
        {
          annee: ANNEE,
          siret: randomSiret(),
          actor: ACTOR,
          expectedVersion: null,
          change: { kind: 'ajouter', items: [{ target: { etablissementId: formEtab[k]!, formationId: formId[k]! }, bp: 100 }] },
          source: 'bench',
        },
      ),
    );
  },
};

/** the what-ifs of bench/allocations-whatif.ts: the same work in fewer statements */
const WHATIF_OPS = WHATIF ? ['modifier 6 trips'] : [];
const APP_OPS = ['Synthèse', 'modifier', 'ajouter', ...WHATIF_OPS];
const BASE_OPS = ['select 1', 'envelope by PK'];
const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(RESULTS, { recursive: true });

interface Measure {
  op: string;
  shape: string;
  pool: number;
  workers: number;
  count: number;
  errors: number;
  seconds: number;
  perSecond: number;
  latency: LatencySummary;
  machineBusyPct: number;
  loopBusyPct: number;
  nodeCpuMsPerOp: number;
  /** 1-minute load average when the measure started */
  load1: number;
  profile?: ProfileSummary;
}
const measures: Measure[] = [];

/** `workers` loops back to back (closed) or each every `intervalMs` from a staggered start (paced). */
async function measure(op: string, d: Database, pool: number, workers: number, seconds: number, intervalMs = 0): Promise<Measure> {
  const fn = OPS[op]!;
  for (let i = 0; i < Math.min(50, workers * 2); i++) await fn(d); // warm-up
  const profiler = PROFILE && !intervalMs && workers > 1 && APP_OPS.includes(op) ? new Profiler() : null;
  if (profiler) await profiler.start();
  const load1 = loadavg()[0]!;
  const lat: number[] = [];
  let errors = 0;
  let firstError = '';
  const m0 = machineTimes();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + seconds * 1000;
  const worker = async (w: number) => {
    let next = start + (intervalMs * w) / workers;
    for (;;) {
      if (intervalMs) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const t = intervalMs ? next : performance.now();
      if (t >= end) return;
      try {
        await fn(d);
        lat.push(performance.now() - t);
      } catch (e) {
        errors++;
        firstError ||= (e as Error).message;
      }
      next += intervalMs;
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  const m1 = machineTimes();
  const profile = profiler ? await profiler.stop(join(RESULTS, `allocations-${op}-pool${pool}.cpuprofile`)) : undefined;
  const r: Measure = {
    op,
    shape: intervalMs ? `paced ${intervalMs} ms` : 'closed',
    pool,
    workers,
    count: lat.length,
    errors,
    seconds: elapsed / 1000,
    perSecond: (lat.length / elapsed) * 1000,
    latency: summarize(lat),
    machineBusyPct: Math.round(((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * 100),
    loopBusyPct: Math.round(elu.utilization * 100),
    nodeCpuMsPerOp: (cpu.user + cpu.system) / 1000 / Math.max(1, lat.length + errors),
    load1,
    ...(profile ? { profile } : {}),
  };
  measures.push(r);
  if (errors) log(`    ! ${errors} errors, first: ${firstError}`);
  log(
    `  ${op.padEnd(16)} ${r.shape.padEnd(14)} pool ${String(pool).padStart(2)} × ${String(workers).padStart(2)} workers: ${r.count.toString().padStart(6)} ops, ${f2(r.perSecond).padStart(7)}/s, p50 ${f2(r.latency.p50).padStart(6)} p95 ${f2(r.latency.p95).padStart(6)} p99 ${f2(r.latency.p99).padStart(6)} ms; machine ${r.machineBusyPct} %, node loop ${r.loopBusyPct} %, node CPU ${f2(r.nodeCpuMsPerOp)} ms/op, load ${load1.toFixed(1)}`,
  );
  if (profile)
    log(
      `    profile (${profile.totalMs} ms of CPU in this process): ${profile.byCategory
        .slice(0, 8)
        .map((c) => `${c.name} ${c.pct} %`)
        .join(', ')}\n      top functions: ${profile.byFunction
        .slice(0, 8)
        .map((c) => `${c.name} ${c.pct} %`)
        .join('; ')}`,
    );
  return r;
}

// ── the measures ────────────────────────────────────────────────────────────────────────────────
if (WHATIF) {
  const t = performance.now();
  // the what-if modifier writes what changeChoices writes: the same change by both on two sampled employers' lines
  for (let i = 0; i < 50; i++) {
    const e = sample[randInt(sample.length)]!;
    const id = e.ids[randInt(e.ids.length)]!;
    const bp = 100 + randInt(e.cap - 99);
    const before = await loadSynthese(app.db, clock.now(), ANNEE, e.siret);
    const r1 = await changeChoices(
      { db: app.db, clock },
      { annee: ANNEE, siret: e.siret, actor: ACTOR, expectedVersion: null, change: { kind: 'modifier', id, bp }, source: 'bench' },
    );
    const a1 = await loadSynthese(app.db, clock.now(), ANNEE, e.siret);
    // back to the state before, then the what-if
    await app.db
      .execute(sql`update attributions set points_base = ${before.lines.find((l) => l.id === id)!.pointsBase}, statut = ${before.lines.find((l) => l.id === id)!.statut},
      validee_le = ${before.lines.find((l) => l.id === id)!.valideeLe}, valide_periode = ${before.lines.find((l) => l.id === id)!.statut === 'validee' ? 1 : null} where id = ${id}`);
    await app.db.execute(sql`update choix_employeurs set version = ${before.version} where annee = ${ANNEE} and siret = ${e.siret}`);
    const r2 = await modifierSixRoundTrips({ db: app.db, clock }, { annee: ANNEE, siret: e.siret, actor: ACTOR, id, bp });
    const a2 = await loadSynthese(app.db, clock.now(), ANNEE, e.siret);
    const diff =
      sameSynthese(a1, a2) ?? (JSON.stringify(r1) === JSON.stringify({ ...r2 }) ? null : `${JSON.stringify(r1)} ≠ ${JSON.stringify(r2)}`);
    if (diff) throw new Error(`what-if modifier differs from changeChoices for ${e.siret}: ${diff}`);
  }
  log(
    `  what-if « modifier 6 trips » gives the same result and rows as changeChoices on 50 employers (${Math.round(performance.now() - t)} ms)`,
  );
}

// the setup's (or the last run's) dirty pages written out now, not during the measures
await q(app, 'checkpoint');
const loadBeforeMeasures = la();
log(`\nmeasuring (${SECONDS} s each, ${SINGLE_SECONDS} s single-worker; load average ${loadBeforeMeasures})`);
async function closedSet(d: Database, pool: number, ops: string[], tag = '') {
  log(`${tag}closed loop, ${WORKERS} workers, pool ${pool}:`);
  for (const op of ops) await measure(op, d, pool, WORKERS, SECONDS);
}
await closedSet(app, appPoolSize, [...BASE_OPS, ...APP_OPS]);
log(`paced, ${WORKERS} users × 1 action per ${INTERVAL_MS} ms, pool ${appPoolSize}:`);
for (const op of [...BASE_OPS, ...APP_OPS.filter((o) => !WHATIF_OPS.includes(o))])
  await measure(op, app, appPoolSize, WORKERS, SECONDS, INTERVAL_MS);
log(`single worker, pool ${appPoolSize}:`);
for (const op of [...BASE_OPS, ...APP_OPS]) await measure(op, app, appPoolSize, 1, SINGLE_SECONDS);
if (POOL_WIDE > 0 && POOL_WIDE !== appPoolSize) {
  const wide = await openDatabase({ url, poolSize: POOL_WIDE });
  await closedSet(wide, POOL_WIDE, [...BASE_OPS, ...APP_OPS.filter((o) => !WHATIF_OPS.includes(o))], 'what if the pool had ');
  await wide.close();
}

// ── statements, traced on one worker ─────────────────────────────────────────────────────────────
interface Stmt {
  text: string;
  values: unknown[];
  ms: number[];
}
const traces = new Map<string, Map<string, Stmt>>();
let tracing: Map<string, Stmt> | null = null;
const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
const originalQuery = proto.query;
proto.query = function (this: unknown, ...args: unknown[]) {
  const into = tracing;
  if (!into) return originalQuery.apply(this, args);
  const cfg = args[0] as string | { text: string; values?: unknown[] };
  const text = typeof cfg === 'string' ? cfg : cfg.text;
  const values = (typeof cfg === 'object' && cfg.values) || (Array.isArray(args[1]) ? (args[1] as unknown[]) : []);
  const t = performance.now();
  const record = () => {
    const s = into.get(text) ?? { text, values, ms: [] };
    s.ms.push(performance.now() - t);
    into.set(text, s);
  };
  const cb = args[args.length - 1];
  if (typeof cb === 'function') {
    args[args.length - 1] = (...r: unknown[]) => {
      record();
      return (cb as (...x: unknown[]) => unknown)(...r);
    };
    return originalQuery.apply(this, args);
  }
  const p = originalQuery.apply(this, args) as Promise<unknown>;
  return p.then((r) => (record(), r));
};
const short = (s: string) => s.replace(/\s+/g, ' ').replace(/"/g, '').slice(0, 110);
if (TRACE_N > 0) {
  log(
    `\nstatements of each operation (1 worker, ${TRACE_N} operations, mean ms per operation; statements of loadSynthese's Promise.all overlap):`,
  );
  for (const op of APP_OPS) {
    const m = new Map<string, Stmt>();
    for (let i = 0; i < 20; i++) await OPS[op]!(app);
    tracing = m;
    const t = performance.now();
    for (let i = 0; i < TRACE_N; i++) await OPS[op]!(app);
    tracing = null;
    const total = (performance.now() - t) / TRACE_N;
    traces.set(op, m);
    log(`  ${op}: ${f2(total)} ms per operation`);
    const rows = [...m.values()]
      .map((s) => ({ s, per: s.ms.reduce((a, b) => a + b, 0) / TRACE_N, n: s.ms.length / TRACE_N }))
      .sort((a, b) => b.per - a.per);
    for (const r of rows.slice(0, 12)) log(`    ${f2(r.per).padStart(6)} ms  ×${r.n.toFixed(1).padEnd(4)} ${short(r.s.text)}`);
  }
}
proto.query = originalQuery;

// EXPLAIN ANALYZE of every statement of each operation, with one traced call's parameters (in a rolled-back
// transaction): server time (planning + execution) against the time the application waited for it
interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}
const scansOf = (n: PlanNode): string[] => [
  ...(n['Relation Name'] ? [`${n['Node Type']} ${n['Index Name'] ?? n['Relation Name']}`] : []),
  ...(n.Plans ?? []).flatMap(scansOf),
];
const explain = process.env.BENCH_ALLOC_EXPLAIN !== '0' && TRACE_N > 0;
const plans: Record<
  string,
  { clientMs: number; planningMs: number; executionMs: number; sharedHit: number; sharedRead: number; scans: string[]; text?: string[] }
> = {};
if (explain) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  log(
    `\nEXPLAIN (ANALYZE, BUFFERS) of each statement (one traced call's parameters, rolled back): app = mean time the application waited, plan + exec = the server's share`,
  );
  for (const op of APP_OPS) {
    const m = traces.get(op)!;
    log(`  ${op}:`);
    log(
      `    ${'app ms'.padStart(7)} ${'plan'.padStart(6)} ${'exec'.padStart(6)} ${'hit'.padStart(5)} ${'read'.padStart(5)}  statement → scans`,
    );
    let worst: { key: string; exec: number; s: Stmt } | null = null;
    for (const st of [...m.values()].sort((x, y) => y.ms.reduce((a, b) => a + b, 0) - x.ms.reduce((a, b) => a + b, 0))) {
      const appMs = st.ms.reduce((a, b) => a + b, 0) / TRACE_N;
      if (/^(begin|commit|rollback)/i.test(st.text)) {
        log(`    ${f2(appMs).padStart(7)} ${''.padStart(6)} ${''.padStart(6)} ${''.padStart(5)} ${''.padStart(5)}  ${st.text}`);
        continue;
      }
      const key = `${op}: ${short(st.text)}`;
      await c.query('begin');
      try {
        const r = await c.query(`explain (analyze, buffers, format json) ${st.text}`, st.values);
        const j = (r.rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode; 'Planning Time': number; 'Execution Time': number }] })['QUERY PLAN'][0];
        const e = {
          clientMs: appMs,
          planningMs: j['Planning Time'],
          executionMs: j['Execution Time'],
          sharedHit: j.Plan['Shared Hit Blocks'] ?? 0,
          sharedRead: j.Plan['Shared Read Blocks'] ?? 0,
          scans: scansOf(j.Plan),
        };
        plans[key] = e;
        log(
          `    ${f2(appMs).padStart(7)} ${f2(e.planningMs).padStart(6)} ${f2(e.executionMs).padStart(6)} ${String(e.sharedHit).padStart(5)} ${String(e.sharedRead).padStart(5)}  ${short(st.text).slice(0, 70)} → ${e.scans.join(', ') || j.Plan['Node Type']}`,
        );
        if (!worst || e.planningMs + e.executionMs > worst.exec) worst = { key, exec: e.planningMs + e.executionMs, s: st };
      } catch (e) {
        log(
          `    ${f2(appMs).padStart(7)} ${'—'.padStart(6)} ${'—'.padStart(6)} ${''.padStart(5)} ${''.padStart(5)}  ${short(st.text).slice(0, 70)} (not re-run: ${(e as Error).message.slice(0, 60)})`,
        );
      } finally {
        await c.query('rollback');
      }
    }
    if (worst) {
      await c.query('begin');
      try {
        const r = await c.query(`explain (analyze, buffers) ${worst.s.text}`, worst.s.values);
        const lines = r.rows.map((x: Record<string, string>) => x['QUERY PLAN']!);
        plans[worst.key]!.text = lines;
        log(`    the costliest on the server: ${short(worst.s.text)}`);
        for (const l of lines) log(`        ${l}`);
      } finally {
        await c.query('rollback');
      }
    }
  }
  await c.end();
}

// ── an index tried in the bench database (before/after) ──────────────────────────────────────────
const tried: { ddl: string; before: Measure[]; after: Measure[] } | null = TRY_INDEX ? { ddl: TRY_INDEX, before: [], after: [] } : null;
if (tried) {
  if (!/^create (unique )?index /i.test(TRY_INDEX)) throw new Error('BENCH_ALLOC_TRY_INDEX must be a "create index …" statement');
  const name = /index\s+(?:concurrently\s+)?(?:if not exists\s+)?(\S+)\s+on/i.exec(TRY_INDEX)?.[1];
  if (!name) throw new Error('BENCH_ALLOC_TRY_INDEX: name the index');
  tried.before = measures.filter((m) => m.shape === 'closed' && m.pool === appPoolSize && APP_OPS.includes(m.op));
  const t = performance.now();
  await q(app, TRY_INDEX);
  await q(app, 'analyze attributions');
  log(`\nwith ${TRY_INDEX} (created in ${((performance.now() - t) / 1000).toFixed(1)} s):`);
  for (const op of APP_OPS) tried.after.push(await measure(op, app, appPoolSize, WORKERS, SECONDS));
  await q(app, `drop index if exists ${name}`);
}

// ── summary ─────────────────────────────────────────────────────────────────────────────────────
const find = (op: string, shape: string, pool: number, workers: number) =>
  measures.find((m) => m.op === op && m.shape === shape && m.pool === pool && m.workers === workers);
log(`\nsummary (p95, ms; ratio = p95 ÷ p95 of the baseline in the same shape; load average at start ${loadAtStart}, now ${la()})`);
log(`| measure | pool | workers | ops/s | p50 | p95 | p99 | ÷ select 1 | ÷ envelope PK | target ≤ ${TARGET_MS} ms |`);
log('|---|--:|--:|--:|--:|--:|--:|--:|--:|---|');
const verdict = (p95: number) => (p95 <= TARGET_MS ? 'met' : `missed by ${f2(p95 - TARGET_MS)} ms`);
const rowsOut: Record<string, unknown>[] = [];
for (const m of measures) {
  const b1 = find('select 1', m.shape, m.pool, m.workers);
  const b2 = find('envelope by PK', m.shape, m.pool, m.workers);
  const isApp = APP_OPS.includes(m.op);
  const row = {
    measure: `${m.op}${WHATIF_OPS.includes(m.op) ? ' (what-if)' : ''}, ${m.shape}`,
    pool: m.pool,
    workers: m.workers,
    perSecond: m.perSecond,
    ...m.latency,
    ratioSelect1: b1 ? m.latency.p95 / b1.latency.p95 : null,
    ratioPk: b2 ? m.latency.p95 / b2.latency.p95 : null,
    target: isApp && m.workers === WORKERS ? verdict(m.latency.p95) : '',
  };
  rowsOut.push(row);
  log(
    `| ${row.measure} | ${m.pool} | ${m.workers} | ${f2(m.perSecond)} | ${f2(m.latency.p50)} | ${f2(m.latency.p95)} | ${f2(m.latency.p99)} | ${row.ratioSelect1 ? `${f2(row.ratioSelect1)}×` : ''} | ${row.ratioPk ? `${f2(row.ratioPk)}×` : ''} | ${row.target} |`,
  );
}
if (failures.size) log(`changes refused: ${[...failures].map(([k, v]) => `${k} ×${v}`).join(', ')}`);
if (tried) {
  log(`\nindex tried: ${tried.ddl}`);
  for (const a of tried.after) {
    const b = tried.before.find((x) => x.op === a.op);
    log(`  ${a.op}: p95 ${f2(b?.latency.p95 ?? NaN)} → ${f2(a.latency.p95)} ms, ${f2(b?.perSecond ?? NaN)} → ${f2(a.perSecond)} ops/s`);
  }
}

// ── cleanup, size, results ─────────────────────────────────────────────────────────────────────
const removed = await cleanupRun(app);
// the dead rows of this run's updates and deletes cleared now, so autovacuum does not run during the next run's measures
const tVacuum = performance.now();
await q(app, 'vacuum (analyze) attributions, choix_employeurs, enveloppes, audit_events');
const vacuumS = ((performance.now() - tVacuum) / 1000).toFixed(1);
const [size] = await q<{ s: string }>(app, `select pg_size_pretty(pg_database_size(current_database())) s`);
log(
  `\nremoved the ${removed} allocations and the audit events this run added, VACUUM ANALYZE (${vacuumS} s); ${DB_NAME} is kept as the cache (${size!.s}; drop it with: psql … -c 'drop database ${DB_NAME}')`,
);
await app.close();
const file = join(RESULTS, `allocations-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  JSON.stringify(
    {
      employeurs: EMPLOYEURS,
      setup: { reused, checkMs: Math.round(setupMs), ...info },
      appPoolSize,
      workers: WORKERS,
      seconds: SECONDS,
      loadAtStart,
      loadBeforeMeasures,
      measures,
      summary: rowsOut,
      failures: Object.fromEntries(failures),
      plans,
      tried,
      dbSize: size!.s,
    },
    null,
    2,
  ),
);
log(`results: ${file}`);
