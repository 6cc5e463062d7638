/**
 * The access benchmark proper (bench/access.ts sets NODE_ENV first, then imports this). In-process:
 * every request goes through Fastify's `inject` (no socket), one after the other, so the time is the
 * server's own (routing, hooks, session lookup, queries, rendering). Two clocks per request: the
 * wall time around `inject`, and Fastify's `reply.elapsedTime` read in an onResponse hook. Each
 * request also counts the SQL statements drizzle sends (BEGIN/COMMIT included on PostgreSQL only).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq, inArray, sql } from 'drizzle-orm';
import { createApp } from '../src/app.js';
import { ManualClock } from '../src/infra/clock.js';
import { loadConfig } from '../src/infra/config.js';
import { etablissementDeclarations, users } from '../src/infra/db/schema.js';
import { loadGrid, loadScope } from '../src/modules/gestion/habilitations.js';
import { freshDatabase, startSmtp, type ReceivedMail } from '../test/harness.js';
import { openSession, setupAccessData } from './access-setup.js';
import { round, summarize, type LatencySummary } from './stats.js';

const url = process.env.BENCH_DATABASE_URL;
if (url) process.env.TEST_DATABASE_URL = url;
else {
  delete process.env.TEST_DATABASE_URL;
  delete process.env.DATABASE_URL;
}
const REQUESTS = Number(process.env.BENCH_ACCESS_REQUESTS ?? 200);
const MAX_MS = Number(process.env.BENCH_ACCESS_MAX_SECONDS ?? 60) * 1000;
const WARMUP = 10;
const PAGE_TARGET_MS = 50;
const IMPORT_TARGET_MS = 5000;
const HOUR = 3_600_000;

const log = (s: string) => process.stdout.write(s + '\n');

// ── the application on a fresh database ─────────────────────────────────────────────────────────
const mails: ReceivedMail[] = [];
const smtp = await startSmtp(mails);
const { database, drop } = await freshDatabase();
const kind = database.kind;
log(
  `access benchmark on ${kind === 'postgres' ? `PostgreSQL (${new URL(url!).host})` : 'PGlite (in memory)'}, NODE_ENV=${process.env.NODE_ENV}`,
);
const clock = new ManualClock(new Date('2026-05-04T08:00:00Z'));
const config = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
  SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-01',
});
const app = await createApp(config, { clock, database });
const { ctx, server } = app;

// server time and statement count of the last request
let lastElapsed = Number.NaN;
let statements = 0;
server.addHook('onResponse', (_req, reply, done) => {
  lastElapsed = reply.elapsedTime;
  done();
});
/** when set, every statement of the request with the time it was sent (for the per-statement profile) */
let capture: { t: number; query: string; params: unknown[] }[] | null = null;
const counter = {
  logQuery: (query: string, params: unknown[]) => {
    statements++;
    capture?.push({ t: performance.now(), query, params });
  },
};
const session = (ctx.db as unknown as { session: { logger: unknown; options?: { logger?: unknown } } }).session;
session.logger = counter;
if (session.options) session.options.logger = counter;

log('setting up data…');
const data = await setupAccessData(ctx, log);
log(
  `  ${data.clients} clients, ${data.clientEtablissements} client établissements (+${data.ownEtablissements} own), ${data.etablissementDeclarations} etablissement_declarations, ${data.habilitations} habilitations, ${data.declarantIds.length} déclarants — ${Math.round(data.setupMs)} ms`,
);

let admin = await openSession(ctx, data.adminId);

// ── measuring ───────────────────────────────────────────────────────────────────────────────────
interface Measure {
  name: string;
  url: string;
  group: 'baseline' | 'page';
  requests: number;
  truncated: boolean;
  server: LatencySummary;
  wall: LatencySummary;
  statements: number;
  bytes: number;
}
const measures: Measure[] = [];

async function request(
  method: 'GET' | 'POST',
  path: string,
  opts: { accept?: string; body?: string; headers?: Record<string, string> } = {},
) {
  statements = 0;
  lastElapsed = Number.NaN;
  const t = performance.now();
  const res = await server.inject({
    method,
    url: path,
    payload: opts.body,
    headers: { cookie: admin.cookie, accept: opts.accept ?? 'text/html', ...opts.headers },
  });
  const wall = performance.now() - t;
  return { res, wall, server: lastElapsed, statements };
}

async function measure(name: string, path: string, group: Measure['group'], accept = 'text/html') {
  for (let i = 0; i < WARMUP; i++) {
    const r = await request('GET', path, { accept });
    if (r.res.statusCode !== 200) throw new Error(`${name}: ${path} answered ${r.res.statusCode}\n${r.res.body.slice(0, 500)}`);
  }
  const srv: number[] = [];
  const wall: number[] = [];
  let stmts = 0;
  let bytes = 0;
  const start = performance.now();
  while (srv.length < REQUESTS && performance.now() - start < MAX_MS) {
    const r = await request('GET', path, { accept });
    if (r.res.statusCode !== 200) throw new Error(`${name}: ${path} answered ${r.res.statusCode}`);
    srv.push(r.server);
    wall.push(r.wall);
    stmts = r.statements;
    bytes = r.res.rawPayload.length;
  }
  const m: Measure = {
    name,
    url: path,
    group,
    requests: srv.length,
    truncated: srv.length < REQUESTS,
    server: summarize(srv),
    wall: summarize(wall),
    statements: stmts,
    bytes,
  };
  measures.push(m);
  log(
    `  ${name.padEnd(34)} n=${String(m.requests).padStart(3)} p50 ${round(m.server.p50, 1)} ms, p95 ${round(m.server.p95, 1)} ms, ${stmts} stmt, ${Math.round(bytes / 1024)} KiB`,
  );
  return m;
}

log('measuring…');
const P = data.portefeuilleIds;
const gridFirst = await request('GET', '/gestion/habilitations?recherche=1', { accept: 'application/json' });
const gridInfo = JSON.parse(gridFirst.res.body) as { total: number; pages: number };
const middle = Math.ceil(gridInfo.pages / 2);
const someDeclarant = data.declarantIds[3]!;

await measure('baseline: GET /api/health', '/api/health', 'baseline', 'application/json');
await measure('baseline: GET /menu/sessions', '/menu/sessions', 'baseline');
await measure('grid: first page', '/gestion/habilitations?recherche=1', 'page');
await measure('grid: filtered (déclarant+DSN)', `/gestion/habilitations?declarant=${someDeclarant}&service=DSN`, 'page');
await measure(`grid: middle page (${middle}/${gridInfo.pages})`, `/gestion/habilitations?page=${middle}`, 'page');
await measure('portefeuilles: list', '/gestion/portefeuilles', 'page');
await measure('portefeuilles: composition p1', `/gestion/portefeuilles/${P[0]}`, 'page');
await measure('portefeuilles: composition p20', `/gestion/portefeuilles/${P[0]}?page=20`, 'page');
await measure('portefeuilles: récapitulatif', '/gestion/portefeuilles/recapitulatif', 'page');
// the same pages as JSON: the share of HTML rendering
await measure('grid: first page (JSON)', '/gestion/habilitations?recherche=1', 'page', 'application/json');
await measure('portefeuilles: récapitulatif (JSON)', '/gestion/portefeuilles/recapitulatif', 'page', 'application/json');

// ── the 10,000-line CSV import, 3 times, the clock moved 49 h between ────────────────────────────
log('CSV import (10,000 lines, ~5 % of the cells changed)…');
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
interface ImportRun {
  rep: number;
  exportMs: number;
  exportLines: number;
  lines: number;
  cellsChanged: number;
  importWallMs: number;
  importServerMs: number;
  statements: number;
  status: number;
  changes: number;
  bytes: number;
}
const imports: ImportRun[] = [];
for (let rep = 1; rep <= 3; rep++) {
  if (rep > 1) {
    clock.advance(49 * HOUR);
    admin = await openSession(ctx, data.adminId); // the old session expired (12 h absolute)
  }
  const ex = await request('GET', '/gestion/habilitations/export.csv', { accept: 'text/csv' });
  if (ex.res.statusCode !== 200) throw new Error(`export.csv answered ${ex.res.statusCode}`);
  const all = ex.res.body
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter(Boolean);
  const [header, ...rows] = all as [string, ...string[]];
  // 10,000 lines spread over the whole export (every person, every portefeuille)
  const stride = rows.length / 10_000;
  const picked = Array.from({ length: 10_000 }, (_, i) => rows[Math.floor(i * stride)]!);
  let changed = 0;
  const edited = picked.map((line) => {
    const cells = line.split(';');
    for (let k = 4; k < cells.length; k++)
      if ((cells[k] === '0' || cells[k] === '1') && rand() < 0.05) {
        cells[k] = cells[k] === '0' ? '1' : '0';
        changed++;
      }
    return cells.join(';');
  });
  const body = '\uFEFF' + [header, ...edited].join('\r\n') + '\r\n';
  const r = await request('POST', '/gestion/habilitations/import', {
    accept: 'application/json',
    body,
    headers: { 'content-type': 'text/csv; charset=utf-8', 'x-csrf-token': admin.csrf },
  });
  const json = JSON.parse(r.res.body) as { modifications?: number; message?: string };
  if (r.res.statusCode !== 200) throw new Error(`import answered ${r.res.statusCode}: ${r.res.body.slice(0, 800)}`);
  const run: ImportRun = {
    rep,
    exportMs: ex.wall,
    exportLines: rows.length,
    lines: edited.length,
    cellsChanged: changed,
    importWallMs: r.wall,
    importServerMs: r.server,
    statements: r.statements,
    status: r.res.statusCode,
    changes: json.modifications ?? 0,
    bytes: Buffer.byteLength(body),
  };
  imports.push(run);
  log(
    `  #${rep}: export ${Math.round(ex.wall)} ms (${rows.length} lines); import ${Math.round(r.wall)} ms wall / ${Math.round(r.server)} ms server, ${run.changes} changes, ${r.statements} statements, ${Math.round(run.bytes / 1024)} KiB`,
  );
}

// ── where the grid's time goes (direct calls, same data) ────────────────────────────────────────
log('grid breakdown…');
const [adminRow] = await ctx.db.select().from(users).where(eq(users.id, data.adminId));
const breakdown: Record<string, LatencySummary> = {};
{
  const scopeMs: number[] = [];
  const gridMs: number[] = [];
  let scopeStmts = 0;
  let gridStmts = 0;
  for (let i = 0; i < 30; i++) {
    await ctx.db.transaction(async (tx) => {
      statements = 0;
      let t = performance.now();
      const scope = await loadScope(tx, adminRow!);
      scopeMs.push(performance.now() - t);
      scopeStmts = statements;
      statements = 0;
      t = performance.now();
      await loadGrid(tx, scope, { siret: '', declarant: '', service: '', page: 1 });
      gridMs.push(performance.now() - t);
      gridStmts = statements;
    });
  }
  breakdown.loadScope = summarize(scopeMs);
  breakdown.loadGrid = summarize(gridMs);
  log(
    `  loadScope p50 ${round(breakdown.loadScope.p50, 1)} ms (${scopeStmts} stmt); loadGrid page 1 p50 ${round(breakdown.loadGrid.p50, 1)} ms (${gridStmts} stmt)`,
  );
  // the scope's declarations query, as loadScope sends it (one parameter per administered SIRET)
  const sirets = (await ctx.db.execute(
    sql`select pe.siret from portefeuille_etablissements pe join portefeuilles p on p.id = pe.portefeuille_id where p.espace_id = ${data.espaceId}`,
  )) as unknown as { rows: { siret: string }[] };
  const list = sirets.rows.map((r) => r.siret);
  const q = ctx.db
    .selectDistinct({ siret: etablissementDeclarations.siret, code: etablissementDeclarations.declarationCode })
    .from(etablissementDeclarations)
    .where(inArray(etablissementDeclarations.siret, list));
  const t = performance.now();
  for (let i = 0; i < 10; i++) await q;
  breakdown.scopeDeclarationsQueryMean = summarize([(performance.now() - t) / 10]);
  const plan = (await ctx.db.execute(
    sql`explain (analyze, buffers off) select distinct siret, declaration_code from etablissement_declarations where siret in (${sql.join(
      list.map((s) => sql`${s}`),
      sql`, `,
    )})`,
  )) as unknown as { rows: Record<string, string>[] };
  log(
    `  scope declarations query (${list.length} parameters): ${round((performance.now() - t) / 10, 1)} ms mean\n    ` +
      plan.rows.map((r) => String(Object.values(r)[0]).slice(0, 140)).join('\n    '),
  );
}

// ── per-statement profile of the slow requests: where the time goes, and the plan of the slowest ──
const client = (ctx.db as unknown as { $client: { query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> } })
  .$client;
const profiles: Record<string, unknown> = {};
async function profile(name: string, method: 'GET' | 'POST', path: string, opts: Parameters<typeof request>[2] = {}) {
  capture = [];
  const r = await request(method, path, opts);
  const end = performance.now();
  const stmts = capture;
  capture = null;
  // the time from one statement to the next: its own time plus the JS work up to the next one
  const groups = new Map<string, { n: number; ms: number; slowest: number; sample: { query: string; params: unknown[] } }>();
  stmts.forEach((s, i) => {
    const gap = (stmts[i + 1]?.t ?? end) - s.t;
    const key =
      (i === stmts.length - 1 ? '[last, + rendering] ' : '') +
      s.query
        .replace(/\s+/g, ' ')
        .replace(/\$\d+(, \$\d+)+/g, '$…')
        .slice(0, 90);
    const g = groups.get(key) ?? { n: 0, ms: 0, slowest: 0, sample: s };
    g.n++;
    g.ms += gap;
    if (gap > g.slowest) {
      g.slowest = gap;
      g.sample = s;
    }
    groups.set(key, g);
  });
  const top = [...groups].sort((a, b) => b[1].ms - a[1].ms).slice(0, 6);
  log(
    `  ${name}: ${Math.round(r.wall)} ms, ${stmts.length} statements; first statement at +${stmts.length ? Math.round(stmts[0]!.t - (end - r.wall)) : 0} ms`,
  );
  for (const [k, g] of top) log(`    ${pad(Math.round(g.ms), 6)} ms  ×${pad(g.n, 5)}  ${k}`);
  // EXPLAIN ANALYZE runs the statement: reads only
  const slowest = top.find(([, g]) => /^\s*(select|with)\b/i.test(g.sample.query));
  let plan: string[] = [];
  if (slowest) {
    const res = await client.query(`explain (analyze) ${slowest[1].sample.query}`, slowest[1].sample.params);
    plan = res.rows.map((row) => String(Object.values(row)[0]));
    log(`    plan of « ${slowest[0].slice(0, 60)}… » (${slowest[1].sample.params.length} parameters):`);
    for (const l of plan.filter((l) => !/^\s*(Filter|Index Cond|Hash Cond|Join Filter).{160,}/.test(l)).slice(0, 40))
      log(`      ${l.slice(0, 150)}`);
  }
  profiles[name] = {
    ms: r.wall,
    statements: stmts.length,
    top: top.map(([k, g]) => ({ statement: k, count: g.n, ms: round(g.ms) })),
    plan,
  };
}
const pad = (s: string | number, n: number) => String(s).padStart(n);
log('profiles…');
clock.advance(49 * HOUR);
admin = await openSession(ctx, data.adminId);
await profile('grid first page', 'GET', '/gestion/habilitations?recherche=1');
await profile('récapitulatif', 'GET', '/gestion/portefeuilles/recapitulatif');
{
  const ex = await request('GET', '/gestion/habilitations/export.csv', { accept: 'text/csv' });
  const [header, ...rows] = ex.res.body
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter(Boolean) as [string, ...string[]];
  const stride = rows.length / 10_000;
  const edited = Array.from({ length: 10_000 }, (_, i) => rows[Math.floor(i * stride)]!).map((line) =>
    line
      .split(';')
      .map((c, k) => (k >= 4 && (c === '0' || c === '1') && rand() < 0.05 ? (c === '0' ? '1' : '0') : c))
      .join(';'),
  );
  await profile('CSV import', 'POST', '/gestion/habilitations/import', {
    accept: 'application/json',
    body: '\uFEFF' + [header, ...edited].join('\r\n') + '\r\n',
    headers: { 'content-type': 'text/csv; charset=utf-8', 'x-csrf-token': admin.csrf },
  });
}

// ── report ──────────────────────────────────────────────────────────────────────────────────────
const baseline = measures.find((m) => m.url === '/menu/sessions')!;
const health = measures.find((m) => m.url === '/api/health')!;
log(`\n${kind}: server time per request (reply.elapsedTime), ms; ratio = p50 ÷ p50 of GET /menu/sessions (signed-in trivial page)`);
log(
  `${'endpoint'.padEnd(38)}${pad('n', 5)}${pad('p50', 9)}${pad('p95', 9)}${pad('p99', 9)}${pad('wall p95', 10)}${pad('stmt', 6)}${pad('KiB', 7)}${pad('×menu', 8)}${pad('×health', 9)}  target`,
);
for (const m of measures) {
  const target =
    m.group === 'baseline' || m.name.includes('JSON')
      ? ''
      : m.server.p95 < PAGE_TARGET_MS
        ? `met (<${PAGE_TARGET_MS} ms p95)`
        : `MISSED (p95 ${round(m.server.p95 / PAGE_TARGET_MS, 1)}× ${PAGE_TARGET_MS} ms)`;
  log(
    `${m.name.padEnd(38)}${pad(m.requests + (m.truncated ? '*' : ''), 5)}${pad(round(m.server.p50, 2), 9)}${pad(round(m.server.p95, 2), 9)}${pad(round(m.server.p99, 2), 9)}${pad(round(m.wall.p95, 2), 10)}${pad(m.statements, 6)}${pad(Math.round(m.bytes / 1024), 7)}${pad(round(m.server.p50 / baseline.server.p50, 1), 8)}${pad(round(m.server.p50 / health.server.p50, 0), 9)}  ${target}`,
  );
}
if (measures.some((m) => m.truncated)) log(`* stopped at the ${MAX_MS / 1000} s cap per endpoint before ${REQUESTS} requests`);
const importMedian = summarize(imports.map((r) => r.importWallMs));
log(
  `CSV import 10,000 lines ×3: wall ${imports.map((r) => Math.round(r.importWallMs)).join(' / ')} ms (median ${Math.round(importMedian.p50)}, max ${Math.round(importMedian.max)}) — ${importMedian.max < IMPORT_TARGET_MS ? 'met' : 'MISSED'} (< ${IMPORT_TARGET_MS} ms); ×menu p50: ${round(importMedian.p50 / baseline.server.p50, 0)}`,
);

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${stamp}-access-${kind}.json`);
writeFileSync(
  file,
  JSON.stringify(
    {
      benchmark: 'access',
      database: kind,
      nodeEnv: process.env.NODE_ENV,
      node: process.version,
      requestsPerEndpoint: REQUESTS,
      data: { ...data, declarantIds: undefined, portefeuilleIds: undefined, grid: gridInfo },
      targets: {
        pagesP95Ms: PAGE_TARGET_MS,
        importMs: IMPORT_TARGET_MS,
        pages: Object.fromEntries(
          measures
            .filter((m) => m.group === 'page' && !m.name.includes('JSON'))
            .map((m) => [m.name, { p95: round(m.server.p95), met: m.server.p95 < PAGE_TARGET_MS }]),
        ),
        import: { maxMs: round(importMedian.max), met: importMedian.max < IMPORT_TARGET_MS },
      },
      measures: measures.map((m) => ({
        ...m,
        ratioVsMenuSessionsP50: round(m.server.p50 / baseline.server.p50),
        ratioVsHealthP50: round(m.server.p50 / health.server.p50),
      })),
      imports,
      breakdown,
      profiles,
    },
    null,
    2,
  ),
);
log(`results: ${file}`);

const pool = (ctx.db as unknown as { $client?: { on?: (event: string, fn: () => void) => void } }).$client;
if (kind === 'postgres') pool?.on?.('error', () => undefined);
await app.close();
await drop();
await smtp.close();
