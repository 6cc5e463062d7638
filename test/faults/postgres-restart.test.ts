/**
 * PostgreSQL restarted under traffic: one application process (src/main.ts, production settings) on a
 * PostgreSQL server of the test's own (pg-cluster.ts), two clients sending requests without pause — the
 * public search and a signed-in page — while the server is restarted (`pg_ctl restart -m fast`), then
 * stopped for two seconds and started again. Meanwhile every request gets either its answer or a clear
 * 503 problem with Retry-After (never a 500, never a wait of more than a few seconds), and the
 * application recovers by itself: requests succeed again within seconds, without restarting it.
 *
 * PostgreSQL-specific (a server restarted): skipped without TEST_DATABASE_URL, and without
 * PostgreSQL's binaries. The cluster is removed at the end, even when the test fails.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { isDatabaseUnavailable, migrateDatabase, openDatabase, selectRows } from '../../src/infra/db/index.js';
import { startCluster, postgresBinaries, type Cluster } from './pg-cluster.js';
import { seedPerson, signIn } from './person.js';
import { freePort, killAllChildren, sleep, spawnTs, type Child, PRODUCTION_SETTINGS } from './processes.js';

const bin = postgresBinaries();
const enabled = Boolean(process.env.TEST_DATABASE_URL && bin);
/** a request slower than this is a hang */
const MAX_REQUEST_MS = 6_000;
const RESTARTS = 3;

let cluster: Cluster;
let app: Child;
let base = '';

beforeAll(async () => {
  if (!enabled) return;
  cluster = await startCluster(bin!);
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  await admin.query('create database portail');
  await admin.end();
  const database = await openDatabase({ url: cluster.url('portail'), poolSize: 2 });
  try {
    await migrateDatabase(database);
    await seedPerson(database.db, new Date());
  } finally {
    await database.close();
  }
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  app = spawnTs(
    'src/main.ts',
    [],
    {
      ...PRODUCTION_SETTINGS,
      DATABASE_URL: cluster.url('portail'),
      DEMO_SEED: '0',
      PORT: String(port),
      SMTP_URL: `smtp://127.0.0.1:${await freePort()}`,
      // each request says it comes from another client, so that the search's rate limit (per address) stays out of the way
      TRUST_PROXY: '1',
    },
    120_000,
  );
  await app.waitFor(/Portail prêt en/, 60_000);
}, 120_000);

afterAll(async () => {
  killAllChildren();
  await cluster?.destroy();
});

interface Outcome {
  kind: 'recherche' | 'menu (JSON)' | 'menu (page)';
  at: number;
  ms: number;
  status: number;
  type: string;
  retryAfter: string | null;
  code?: string;
  error?: string;
}

/** Two clients sending requests one after the other until `stop()`; every outcome is kept. */
function traffic(cookie: string) {
  const outcomes: Outcome[] = [];
  const started = performance.now();
  let running = true;
  let n = 0;
  const once = async (kind: Outcome['kind'], url: string, headers: Record<string, string>) => {
    const t = performance.now();
    const o: Outcome = { kind, at: Math.round(t - started), ms: 0, status: 0, type: '', retryAfter: null };
    try {
      const res = await fetch(url, {
        headers: { ...headers, 'x-forwarded-for': `192.0.2.${1 + (n++ % 250)}` },
        signal: AbortSignal.timeout(15_000),
      });
      o.status = res.status;
      o.type = res.headers.get('content-type') ?? '';
      o.retryAfter = res.headers.get('retry-after');
      const body = await res.text();
      if (o.type.includes('json') && res.status !== 200) o.code = (JSON.parse(body) as { code?: string }).code;
    } catch (e) {
      o.error = e instanceof Error ? e.message : String(e);
    }
    o.ms = Math.round(performance.now() - t);
    outcomes.push(o);
  };
  const loop = async (step: (i: number) => Promise<void>) => {
    for (let i = 0; running; i++) await step(i);
  };
  const clients = Promise.all([
    loop(() => once('recherche', `${base}/soltea/recherche?q=lycee`, { accept: 'application/json' })),
    loop((i) =>
      i % 2 === 0
        ? once('menu (JSON)', `${base}/menu`, { accept: 'application/json', cookie })
        : once('menu (page)', `${base}/menu`, { accept: 'text/html', cookie }),
    ),
  ]);
  return {
    outcomes,
    elapsed: () => Math.round(performance.now() - started),
    async stop() {
      running = false;
      await clients;
    },
  };
}

/** Waits until each kind of request has succeeded twice in a row; returns how long it took (ms). */
async function recovery(t: ReturnType<typeof traffic>, from: number, timeoutMs: number): Promise<number> {
  const kinds: Outcome['kind'][] = ['recherche', 'menu (JSON)', 'menu (page)'];
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const recovered = kinds.every((k) => {
      const last = t.outcomes.filter((o) => o.kind === k && o.at >= from).slice(-2);
      return last.length === 2 && last.every((o) => o.status === 200);
    });
    if (recovered) return Math.round(performance.now() - started);
    await sleep(50);
  }
  throw new Error(`no recovery within ${timeoutMs} ms: ${JSON.stringify(t.outcomes.slice(-6))}`);
}

describe.skipIf(!enabled)('PostgreSQL restarted under traffic', () => {
  it('answers 503 problems meanwhile, never a 500 nor a hang, and recovers by itself', { timeout: 120_000 }, async () => {
    const cookie = await signIn(base);
    const t = traffic(cookie);
    try {
      // restarts (each ends the sessions in use, between two statements of a transaction or inside one)
      const restarts: string[] = [];
      for (let r = 0; r < RESTARTS; r++) {
        await sleep(500);
        const before = t.elapsed();
        await cluster.restart();
        const after = t.elapsed();
        restarts.push(`${after - before} ms, recovered ${await recovery(t, after, 15_000)} ms after`);
      }

      // a longer outage, so that many requests meet it
      await sleep(500);
      const stopAt = t.elapsed();
      await cluster.stop();
      await sleep(2_000);
      await cluster.start();
      const startAt = t.elapsed();
      const outageRecovery = await recovery(t, startAt, 15_000);
      await sleep(1_000);
      const steadyFrom = t.elapsed() - 1_000;
      await t.stop();

      const o = t.outcomes;
      const failures = o.filter((x) => x.status !== 200);
      const during = failures.filter((x) => x.at >= stopAt && x.at <= startAt);
      console.log(
        `${o.length} requests; restarts: ${restarts.join('; ')}; ` +
          `stop for 2 s: ${during.length} refused meanwhile, recovered ${outageRecovery} ms after the start; ` +
          `slowest request ${Math.max(...o.map((x) => x.ms))} ms; statuses ${JSON.stringify(countBy(o.map((x) => String(x.status || x.error))))}`,
      );
      // only answers or 503s, each quick
      for (const x of o) {
        expect(x.error, JSON.stringify(x)).toBeUndefined();
        expect([200, 503], JSON.stringify(x)).toContain(x.status);
        expect(x.ms, JSON.stringify(x)).toBeLessThan(MAX_REQUEST_MS);
      }
      // the 503s are clear problems: a JSON document with its code, or the page for a browser; Retry-After on each
      for (const x of failures) {
        expect(x.retryAfter, JSON.stringify(x)).toBe('5');
        if (x.kind === 'menu (page)') expect(x.type).toContain('text/html');
        else expect(x).toMatchObject({ type: expect.stringContaining('application/problem+json'), code: 'base_indisponible' });
      }
      expect(during.length, 'requests met the outage').toBeGreaterThan(0);
      // and once recovered, everything answers
      expect(o.filter((x) => x.at >= steadyFrom && x.status !== 200)).toEqual([]);
      expect(app.alive()).toBe(true);
    } catch (e) {
      console.log(`application's output:\n${app.output().slice(-4000)}\nserver log:\n${cluster.log().slice(-2000)}`);
      throw e;
    } finally {
      await t.stop();
    }
  });
});

describe.skipIf(!enabled)('a connection lost inside a transaction', () => {
  it('fails that transaction as « database unavailable » and leaves the process standing', { timeout: 30_000 }, async () => {
    const database = await openDatabase({ url: cluster.url('portail'), poolSize: 2 });
    const admin = new pg.Client({ connectionString: cluster.url('portail') });
    await admin.connect();
    try {
      const outcome = await database.db
        .transaction(async (tx) => {
          const [r] = await selectRows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`);
          // the server ends this session between two statements, as a restart does
          await admin.query('select pg_terminate_backend($1)', [r!.pid]);
          // (an 'error' event nobody listens to would end the process: Vitest fails the run on it)
          await sleep(300);
          await tx.execute(sql`select 1`);
          return 'committed';
        })
        .catch((e: unknown) => e);
      expect(isDatabaseUnavailable(outcome), String(outcome)).toBe(true);
      // the pool dropped the dead connection: the next statement gets a new one
      expect(await selectRows(database.db, sql`select 1 as one`)).toEqual([{ one: 1 }]);
    } finally {
      await admin.end();
      await database.close();
    }
  });
});

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
