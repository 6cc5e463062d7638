/**
 * The search benchmark proper (bench/search.ts sets NODE_ENV first, then imports this).
 *
 * 1. A fresh database (PGlite in memory, or a new PostgreSQL database on BENCH_DATABASE_URL), the
 *    application (createApp), the communes (ensureCommunes), then the national-scale referential from
 *    the generator (12,000 establishments with their composantes, 300,000 formations) imported through
 *    the real import (importReferentielContents): generation and import timed; ANALYZE.
 * 2. The baseline: MiniSearch built in this process from the same rows (read back from the
 *    database), queried through the same criteria parser (bench/search-minisearch.ts); build time and
 *    memory.
 * 3. The query mix (bench/search-queries.ts, ~20 kinds × 20 variants drawn from the data), each
 *    variant run once to warm up, then BENCH_SEARCH_REPEAT times in a shuffled order, four ways one
 *    right after the other (the order turning), so another program's load hits them alike:
 *    - `server`: GET /soltea/recherche with Accept: application/json through Fastify's `inject` (no
 *      socket); the figure is Fastify's own `reply.elapsedTime` (routing, hooks, parsing, the
 *      statements, JSON): the server time of the request;
 *    - `page`: the same with Accept: text/html (React rendering of the page included);
 *    - `fn`: the time around `searchEtablissements` alone (the search and its statements);
 *    - `limit`: the route's rate-limit statement alone (`takeRateAttempts`), the part of `server − fn`
 *      spent in the database;
 *    - MiniSearch; then p50/p95 per kind, `server − fn` (the same query's two times, median of the
 *      differences) and the ratio database ÷ MiniSearch.
 * 4. Memory: the process's RSS and heap at each step (on PostgreSQL the database server's memory is
 *    not included).
 * Results go to bench/results/search-<date>-<pglite|postgres>.json; when a run of the other database
 * is there, the PGlite ÷ PostgreSQL ratio is printed.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { createApp } from '../src/app.js';
import { ManualClock } from '../src/infra/clock.js';
import { loadConfig } from '../src/infra/config.js';
import { parseCriteria } from '../src/domain/recherche.js';
import { searchEtablissements } from '../src/modules/recherche/search.js';
import { ensureCommunes, loadCommuneIndex } from '../src/modules/referentiel/communes.js';
import { generateReferentiel, referentielCsv } from '../src/demo/referentiel-generator.js';
import { importReferentielContents } from '../src/modules/referentiel/import.js';
import { takeRateAttempts } from '../src/infra/throttle.js';
import { buildQueryMix, type QueryKind } from './search-queries.js';
import { buildMiniSearch, loadMsData, miniSearchQuery } from './search-minisearch.js';
import { freshBenchDatabase } from './setup.js';
import { summarize, type LatencySummary } from './stats.js';

const ETABLISSEMENTS = Number(process.env.BENCH_SEARCH_ETABLISSEMENTS ?? 12_000);
const FORMATIONS = Number(process.env.BENCH_SEARCH_FORMATIONS ?? 300_000);
const REPEAT = Number(process.env.BENCH_SEARCH_REPEAT ?? 3);
const EXPLAIN = process.env.BENCH_SEARCH_EXPLAIN === '1';
/**
 * BENCH_SEARCH_BUSY=n: n processes spinning on the CPU from the start to the end, the load the issue
 * measured under (a 2-core machine at load about 4: the bench and its database make about 2, two busy
 * processes the rest), reproducible instead of whatever else the machine happens to run.
 */
const BUSY = Number(process.env.BENCH_SEARCH_BUSY ?? 0);
/** BENCH_SEARCH_INDEXES=1: also create the indexes proposed for the schema (in the bench database only). */
const EXTRA_INDEXES = process.env.BENCH_SEARCH_INDEXES === '1';
const PROPOSED_INDEXES = [
  'create index bench_ref_etab_annee_cp_idx on ref_etablissements (annee, code_postal)',
  'create index bench_ref_etab_annee_commune_idx on ref_etablissements (annee, code_commune)',
  'create index bench_ref_etab_annee_region_idx on ref_etablissements (annee, region)',
  'create index bench_ref_formations_diplome_etab_idx on ref_formations (diplome_id, annee, etablissement_id)',
];
const ANNEE = 2026;
const TARGET = { p50: 10, p95: 30, overhead: 2, hostileMax: 200, importMs: 60_000, pgliteRatio: 2 };

const log = (s = '') => process.stdout.write(`${s}\n`);
// a garbage collection on demand, so that the heap measured around the MiniSearch index is its own
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const mb = (b: number) => Math.round(b / 1048576);
const mem = () => {
  const m = process.memoryUsage();
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed) };
};
const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : '—');

/**
 * How busy the machine is: the load average, and a fixed CPU workload (sorting 300,000 numbers) timed
 * in this process, median of 5. Other programs on the machine slow every figure down by about the
 * same factor as this one.
 */
function calibrate(): { loadavg: number[]; sortMs: number } {
  const times: number[] = [];
  let seed = 7;
  const data = Array.from({ length: 300_000 }, () => (seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    [...data].sort((a, b) => a - b);
    times.push(performance.now() - t0);
  }
  return { loadavg: loadavg().map((x) => Math.round(x * 100) / 100), sortMs: Math.round(times.sort((a, b) => a - b)[2]! * 10) / 10 };
}
const calibration: Record<string, { loadavg: number[]; sortMs: number }> = { start: calibrate() };
const busy = Array.from({ length: BUSY }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
process.on('exit', () => busy.forEach((p) => p.kill()));

// ── the application on a fresh database ─────────────────────────────────────────────────────────
const bench = await freshBenchDatabase(process.env.BENCH_DATABASE_URL);
const kind = bench.kind;
log(
  `search benchmark on ${bench.label}, NODE_ENV=${process.env.NODE_ENV}, ${ETABLISSEMENTS} establishments, ${FORMATIONS} formations, ${REPEAT} runs${BUSY ? `, ${BUSY} busy processes beside it` : ''}`,
);
const clock = new ManualClock(new Date('2026-05-04T08:00:00Z'));
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-01' });
const app = await createApp(config, { clock, database: bench.database });
const { ctx, server } = app;
const memory: Record<string, { rssMb: number; heapUsedMb: number }> = { start: mem() };

let lastElapsed = Number.NaN;
server.addHook('onResponse', (_req, reply, done) => {
  lastElapsed = reply.elapsedTime;
  done();
});

// ── data ────────────────────────────────────────────────────────────────────────────────────────
let t = performance.now();
const communes = await ensureCommunes(ctx.db);
const communesMs = performance.now() - t;
t = performance.now();
const generated = generateReferentiel({ etablissements: ETABLISSEMENTS, formations: FORMATIONS });
const csv = referentielCsv(generated);
const generateMs = performance.now() - t;
memory.generated = mem();
t = performance.now();
const index = await loadCommuneIndex(ctx.db);
const report = await importReferentielContents(
  ctx.db,
  ANNEE,
  [
    { name: 'etablissements.csv', content: csv.etablissements },
    { name: 'formations.csv', content: csv.formations },
  ],
  { now: clock.now(), communes: index },
);
const importMs = performance.now() - t;
memory.imported = mem();
const n = (c: { inserted: number; updated: number; unchanged: number }) => c.inserted + c.updated + c.unchanged;
log(
  `  communes ${communes} (${Math.round(communesMs)} ms); generated ${generated.stats.etablissements} establishments, ${generated.stats.composantes} composantes, ${generated.stats.formations} formations (${Math.round(generateMs)} ms)`,
);
log(
  `  import: ${n(report.etablissements)} establishments, ${n(report.composantes)} composantes, ${n(report.formations)} formations, ${n(report.diplomes)} diplomas, ${report.rejected.length} rejected — ${(importMs / 1000).toFixed(1)} s (target < ${TARGET.importMs / 1000} s)`,
);
if (EXTRA_INDEXES) {
  t = performance.now();
  for (const ddl of PROPOSED_INDEXES) await ctx.db.execute(sql.raw(ddl));
  log(
    `  proposed indexes created (${Math.round(performance.now() - t)} ms): ${PROPOSED_INDEXES.map((d) => d.replace(/^create index \S+ on /, '')).join('; ')}`,
  );
}
// after a bulk import, autovacuum would soon do the same (statistics, visibility map)
t = performance.now();
await ctx.db.execute(sql`vacuum analyze`);
log(`  VACUUM ANALYZE ${Math.round(performance.now() - t)} ms`);

// ── the mix ─────────────────────────────────────────────────────────────────────────────────────
const kinds = await buildQueryMix(ctx.db, ANNEE);
const queries = kinds.flatMap((k) => k.variants.map((v) => ({ kind: k.kind, params: v, qs: new URLSearchParams(v).toString() })));
log(`  mix: ${kinds.length} kinds, ${queries.length} queries`);

function shuffled<T>(a: readonly T[], seed: number): T[] {
  const out = [...a];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * The client address of each request: the route counts its rate limit (300 a minute per address) in the
 * database, as in production, and the bench's clock stands still, so requests come from a rotating set
 * of loopback addresses (each well under the limit) — the counting is measured, never refused.
 */
let requests = 0;
const remoteAddress = () => `127.0.${(requests = (requests + 1) % 50_000) >> 8}.${requests & 255}`;

type Samples = Map<string, number[]>;
const totals = new Map<string, number>();

// ── MiniSearch baseline ─────────────────────────────────────────────────────────────────────────
log('MiniSearch baseline: built before the measures, then run beside each query…');
gc();
const before = process.memoryUsage();
t = performance.now();
const msData = await loadMsData(ctx.db, ANNEE);
const msLoadMs = performance.now() - t;
t = performance.now();
const engine = buildMiniSearch(msData);
const msBuildMs = performance.now() - t;
gc();
const after = process.memoryUsage();
memory.miniSearch = mem();
const msTotals = new Map<string, number>();

type Way = 'server' | 'page' | 'fn' | 'limit';

/**
 * The route's rate-limit count alone (the same one-statement upsert as its hook, on another key of the
 * same shape): the part of `server − fn` that is a round trip to the database rather than this process.
 */
async function countLimit(): Promise<number> {
  const t0 = performance.now();
  await takeRateAttempts(ctx.db, clock.now(), [
    { key: `limite:bench-recherche:${remoteAddress()}`, policy: { kind: 'fixed', max: 300, windowSeconds: 60 } },
  ]);
  return performance.now() - t0;
}

async function once(name: Way, q: (typeof queries)[number]): Promise<number> {
  if (name === 'limit') return countLimit();
  if (name === 'fn') {
    const c = parseCriteria(q.params);
    const t0 = performance.now();
    const o = await searchEtablissements(ctx.db, c.criteria);
    totals.set(q.qs, o.total);
    return performance.now() - t0;
  }
  lastElapsed = Number.NaN;
  const res = await server.inject({
    method: 'GET',
    remoteAddress: remoteAddress(),
    url: `/soltea/recherche?${q.qs}`,
    headers: { accept: name === 'page' ? 'text/html' : 'application/json' },
  });
  if (res.statusCode !== 200) throw new Error(`${q.kind}: ${q.qs.slice(0, 100)} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  return lastElapsed;
}

/**
 * The ways, interleaved: each query runs as `fn`, `server` and `page` one after the other, with the
 * rate-limit count alone (`limit`) among them (the order turning from query to query), so that another
 * program's load hits them alike, and `server − fn` of the same query at the same moment is the
 * request's cost besides the search; the MiniSearch baseline runs the same query right after, for the
 * same reason.
 */
async function runPasses(): Promise<Record<Way | 'overhead' | 'miniSearch', Samples>> {
  const out = {
    miniSearch: new Map(kinds.map((k) => [k.kind, [] as number[]])),
    server: new Map(kinds.map((k) => [k.kind, [] as number[]])),
    page: new Map(kinds.map((k) => [k.kind, [] as number[]])),
    fn: new Map(kinds.map((k) => [k.kind, [] as number[]])),
    limit: new Map(kinds.map((k) => [k.kind, [] as number[]])),
    overhead: new Map(kinds.map((k) => [k.kind, [] as number[]])),
  };
  const orders: Way[][] = [
    ['fn', 'server', 'limit', 'page'],
    ['server', 'limit', 'page', 'fn'],
    ['page', 'fn', 'server', 'limit'],
  ];
  const ms = (q: (typeof queries)[number]) => {
    const c = parseCriteria(q.params).criteria;
    const t0 = performance.now();
    const o = miniSearchQuery(engine, c);
    msTotals.set(q.qs, o.total);
    return performance.now() - t0;
  };
  for (const q of queries) {
    for (const w of orders[0]!) await once(w, q); // warm-up
    ms(q);
  }
  let turn = 0;
  for (let r = 0; r < REPEAT; r++)
    for (const q of shuffled(queries, 17 + r)) {
      const t: Partial<Record<Way, number>> = {};
      for (const w of orders[turn++ % orders.length]!) t[w] = await once(w, q);
      for (const w of ['server', 'page', 'fn', 'limit'] as const) out[w].get(q.kind)!.push(t[w]!);
      out.overhead.get(q.kind)!.push(t.server! - t.fn!);
      out.miniSearch.get(q.kind)!.push(ms(q));
    }
  return out;
}

calibration.beforeQueries = calibrate();
log(
  `measuring… (machine: ${cpus().length} cores, load average ${calibration.beforeQueries.loadavg.join(' / ')}, calibration sort ${calibration.beforeQueries.sortMs} ms)`,
);
const passes = await runPasses();
memory.queried = mem();
calibration.afterQueries = calibrate();

// slowest query per kind (server pass), for the profile
const slowest = new Map<string, { qs: string; ms: number }>();
for (const q of queries) {
  lastElapsed = Number.NaN;
  await server.inject({
    method: 'GET',
    url: `/soltea/recherche?${q.qs}`,
    remoteAddress: remoteAddress(),
    headers: { accept: 'application/json' },
  });
  const s = slowest.get(q.kind);
  if (!s || lastElapsed > s.ms) slowest.set(q.kind, { qs: q.qs, ms: lastElapsed });
}

const msSamples = passes.miniSearch;
let sameTotal = 0;
for (const q of queries) if (msTotals.get(q.qs) === totals.get(q.qs)) sameTotal++;

// ── tables ──────────────────────────────────────────────────────────────────────────────────────
const all = (s: Samples) => [...s.values()].flat();
const rowsOut: {
  kind: string;
  description: string;
  variants: number;
  server: LatencySummary;
  page: LatencySummary;
  fn: LatencySummary;
  miniSearch: LatencySummary;
  ratio: number;
  overhead: LatencySummary;
}[] = kinds.map((k: QueryKind) => {
  const server = summarize(passes.server.get(k.kind)!);
  const fn = summarize(passes.fn.get(k.kind)!);
  const ms = summarize(msSamples.get(k.kind)!);
  return {
    kind: k.kind,
    description: k.description,
    variants: k.variants.length,
    server,
    page: summarize(passes.page.get(k.kind)!),
    fn,
    miniSearch: ms,
    ratio: fn.p50 / ms.p50,
    overhead: summarize(passes.overhead.get(k.kind)!),
  };
});
const overall = {
  server: summarize(all(passes.server)),
  page: summarize(all(passes.page)),
  fn: summarize(all(passes.fn)),
  miniSearch: summarize(all(msSamples)),
  overhead: summarize(all(passes.overhead)),
  limit: summarize(all(passes.limit)),
};
const hostileMax = Math.max(...passes.server.get('hostile')!, ...passes.fn.get('hostile')!);

log();
log(
  `| kind | n | server p50 | server p95 | page p50 | search fn p50 | fn p95 | server − fn p50 | MiniSearch p50 | MiniSearch p95 | fn ÷ MiniSearch (p50) |`,
);
log(`| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |`);
for (const r of rowsOut)
  log(
    `| ${r.kind} | ${r.variants} | ${f1(r.server.p50)} | ${f1(r.server.p95)} | ${f1(r.page.p50)} | ${f1(r.fn.p50)} | ${f1(r.fn.p95)} | ${f1(r.overhead.p50)} | ${f1(r.miniSearch.p50)} | ${f1(r.miniSearch.p95)} | ${f1(r.ratio)} |`,
  );
log(
  `| **all** | ${queries.length} | **${f1(overall.server.p50)}** | **${f1(overall.server.p95)}** | ${f1(overall.page.p50)} | ${f1(overall.fn.p50)} | ${f1(overall.fn.p95)} | ${f1(overall.overhead.p50)} | ${f1(overall.miniSearch.p50)} | ${f1(overall.miniSearch.p95)} | ${f1(overall.fn.p50 / overall.miniSearch.p50)} |`,
);
log();
log(
  `times in ms; ${REPEAT} runs of ${queries.length} queries per column; server = Fastify reply.elapsedTime of GET /soltea/recherche (JSON), page = the same as HTML, fn = searchEtablissements alone, server − fn = the same query's two times taken one after the other (median of the differences), MiniSearch run beside each query`,
);
log(
  `server − fn ${f1(overall.overhead.p50)} ms at the median, of which the rate-limit count (its statement alone, timed beside each query) ${f1(overall.limit.p50)} ms p50 / ${f1(overall.limit.p95)} ms p95`,
);
log(`page p95 ${f1(overall.page.p95)} ms; slowest hostile request ${f1(hostileMax)} ms (target < ${TARGET.hostileMax} ms)`);
log(
  `MiniSearch: rows read ${Math.round(msLoadMs)} ms, index built ${Math.round(msBuildMs)} ms (${msData.rows.length} rows, ${msData.diplomes.length} diplomas, ${msData.communes.length} communes), heap +${mb(after.heapUsed - before.heapUsed)} MB, RSS +${mb(after.rss - before.rss)} MB; same total as the database for ${sameTotal}/${queries.length} queries`,
);
log(
  `memory (this process): ${Object.entries(memory)
    .map(([k, v]) => `${k} RSS ${v.rssMb} MB / heap ${v.heapUsedMb} MB`)
    .join('; ')}`,
);
log(
  `machine: ${Object.entries(calibration)
    .map(([k, v]) => `${k} load ${v.loadavg.join('/')} sort ${v.sortMs} ms`)
    .join('; ')}${EXTRA_INDEXES ? '; with the proposed indexes' : ''}`,
);

// targets
const targets = [
  { target: `server p50 ≤ ${TARGET.p50} ms`, value: overall.server.p50, ok: overall.server.p50 <= TARGET.p50 },
  { target: `server p95 ≤ ${TARGET.p95} ms`, value: overall.server.p95, ok: overall.server.p95 <= TARGET.p95 },
  { target: `server − fn ≤ ${TARGET.overhead} ms (p50)`, value: overall.overhead.p50, ok: overall.overhead.p50 <= TARGET.overhead },
  { target: `hostile input < ${TARGET.hostileMax} ms`, value: hostileMax, ok: hostileMax < TARGET.hostileMax },
  { target: `import < ${TARGET.importMs / 1000} s`, value: importMs, ok: importMs < TARGET.importMs },
];

// the other database's last run, for the PGlite ÷ PostgreSQL ratio
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(resultsDir, { recursive: true });
const other = kind === 'pglite' ? 'postgres' : 'pglite';
const otherFile = readdirSync(resultsDir)
  .filter((f) => f.startsWith('search-') && f.endsWith(`-${other}${EXTRA_INDEXES ? '-index' : ''}.json`))
  .sort()
  .pop();
if (otherFile) {
  const o = JSON.parse(readFileSync(join(resultsDir, otherFile), 'utf8')) as { overall: typeof overall; kinds: typeof rowsOut };
  const pg = kind === 'postgres' ? overall : o.overall;
  const lite = kind === 'pglite' ? overall : o.overall;
  const ratio50 = lite.server.p50 / pg.server.p50;
  const ratio95 = lite.server.p95 / pg.server.p95;
  log(
    `PGlite ÷ PostgreSQL (with ${otherFile}): server p50 ${f1(ratio50)}×, p95 ${f1(ratio95)}×; search fn p50 ${f1(lite.fn.p50 / pg.fn.p50)}×`,
  );
  targets.push({
    target: `PGlite within ${TARGET.pgliteRatio}× PostgreSQL (server p50)`,
    value: ratio50,
    ok: ratio50 <= TARGET.pgliteRatio,
  });
}
log();
log('| target | measured | met |');
log('| --- | --: | :-: |');
for (const x of targets) log(`| ${x.target} | ${f1(x.value)} | ${x.ok ? 'yes' : 'NO'} |`);

if (EXPLAIN) {
  log();
  log('EXPLAIN ANALYZE of the slowest query of each kind (main statement):');
  const captured: string[] = [];
  const session = (ctx.db as unknown as { session: { logger: unknown; options?: { logger?: unknown } } }).session;
  const logger = { logQuery: (query: string, params: unknown[]) => captured.push(JSON.stringify({ query, params })) };
  session.logger = logger;
  if (session.options) session.options.logger = logger;
  for (const [k, s] of slowest) {
    captured.length = 0;
    await searchEtablissements(ctx.db, parseCriteria(Object.fromEntries(new URLSearchParams(s.qs))).criteria);
    const main = captured.map((c) => JSON.parse(c) as { query: string; params: unknown[] }).find((c) => c.query.startsWith('with '));
    if (!main) continue;
    const plan = await ctx.db.transaction(async (tx) => {
      // the application's settings: JIT off on its connections (infra/db), and for fuzzy words those of
      // src/modules/recherche/search.ts fuzzyTransaction
      await tx.execute(sql`select set_config('jit', 'off', true)`);
      if (main.query.includes('<%'))
        await tx.execute(
          sql`select set_config('pg_trgm.word_similarity_threshold', '0.5', true), set_config('enable_seqscan', 'off', true)`,
        );
      const text = `explain (analyze, buffers) ${main.query}`.replace(/\$(\d+)/g, (_, i: string) => {
        const v = main.params[Number(i) - 1];
        return typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
      });
      return ((await tx.execute(sql.raw(text))) as unknown as { rows: Record<string, string>[] }).rows
        .map((r) => Object.values(r)[0])
        .join('\n');
    });
    log(`\n── ${k} (${f1(s.ms)} ms): ${decodeURIComponent(s.qs).slice(0, 120)}\n${plan}`);
  }
}

const date = new Date().toISOString().replace(/[:.]/g, '-');
writeFileSync(
  join(resultsDir, `search-${date}-${kind}${EXTRA_INDEXES ? '-index' : ''}.json`),
  JSON.stringify(
    {
      date,
      kind,
      extraIndexes: EXTRA_INDEXES,
      busy: BUSY,
      calibration,
      etablissements: ETABLISSEMENTS,
      formations: FORMATIONS,
      repeat: REPEAT,
      importMs,
      generateMs,
      communesMs,
      report: { ...report, rejected: report.rejected.length, warnings: report.warnings.length },
      overall,
      kinds: rowsOut,
      hostileMax,
      miniSearch: {
        loadMs: msLoadMs,
        buildMs: msBuildMs,
        heapMb: mb(after.heapUsed - before.heapUsed),
        rssMb: mb(after.rss - before.rss),
        sameTotal,
      },
      memory,
      targets,
    },
    null,
    2,
  ),
);
log(`\nresults: bench/results/search-${date}-${kind}${EXTRA_INDEXES ? '-index' : ''}.json`);

busy.forEach((p) => p.kill());
await app.close();
await bench.drop();
