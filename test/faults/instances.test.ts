/**
 * Several instances behind a load balancer: three application processes (src/main.ts, the program of
 * `npm start`, in production mode) started at the same moment on one fresh, empty PostgreSQL database
 * all come up — the migrations run under an advisory lock, one instance after the other, instead of
 * racing on `CREATE TYPE` (two of three used to crash on `pg_type_typname_nsp_index`); each answers
 * `/api/ready`. Stopping the database makes every `/api/ready` answer 503 (a load balancer takes them
 * out) without killing any process, and they are ready again once it is back.
 *
 * PostgreSQL-specific (several processes on one database, a server stopped): skipped without
 * TEST_DATABASE_URL, and without PostgreSQL's binaries. The server is the test's own (pg-cluster.ts).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, postgresBinaries, type Cluster } from './pg-cluster.js';
import { freePort, killAllChildren, ROOT, sleep, spawnTs, type Child, PRODUCTION_SETTINGS } from './processes.js';

const bin = postgresBinaries();
const enabled = Boolean(process.env.TEST_DATABASE_URL && bin);
const INSTANCES = 3;

let cluster: Cluster;
let smtpPort = 0;

beforeAll(async () => {
  if (!enabled) return;
  cluster = await startCluster(bin!);
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  await admin.query('create database portail');
  await admin.end();
  smtpPort = await freePort();
}, 60_000);

afterAll(async () => {
  killAllChildren();
  await cluster?.destroy();
});

/** An instance as deployed: production settings, no demo data, its own port. */
function startInstance(port: number): Child {
  return spawnTs(
    'src/main.ts',
    [],
    {
      ...PRODUCTION_SETTINGS,
      DATABASE_URL: cluster.url('portail'),
      DEMO_SEED: '0',
      PORT: String(port),
      // nothing listens there: no mail is sent by these tests
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    },
    120_000,
  );
}

async function ready(port: number) {
  const res = await fetch(`http://127.0.0.1:${port}/api/ready`, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body, type: res.headers.get('content-type') ?? '', retryAfter: res.headers.get('retry-after') };
}

describe.skipIf(!enabled)('several instances on one PostgreSQL database', () => {
  it(
    'three instances started together on an empty database all come up, migrated once; a stopped database makes them unready (503), not dead',
    { timeout: 120_000 },
    async () => {
      const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
      const instances = ports.map((p) => startInstance(p));
      await Promise.all(instances.map((c) => c.waitFor(/Portail prêt en/, 90_000)));
      for (const p of ports) expect(await ready(p)).toMatchObject({ status: 200, body: { status: 'ok', database: 'postgres' } });

      // every migration applied once
      const files = readdirSync(join(ROOT, 'src/infra/db/migrations')).filter((f) => f.endsWith('.sql'));
      const admin = new pg.Client({ connectionString: cluster.url('portail') });
      await admin.connect();
      const { rows } = await admin.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
      await admin.end();
      expect(rows[0]!.n).toBe(files.length);

      await cluster.stop();
      for (const p of ports) {
        const started = performance.now();
        const r = await ready(p);
        expect(r.status).toBe(503);
        expect(r.type).toContain('application/problem+json');
        expect(r.body).toMatchObject({ status: 503, code: 'base_indisponible' });
        expect(r.retryAfter).toBe('5');
        expect(performance.now() - started).toBeLessThan(5_000);
      }
      expect(instances.map((c) => c.alive())).toEqual([true, true, true]);

      await cluster.start();
      for (const p of ports) {
        let status = 0;
        for (let i = 0; i < 50 && status !== 200; i++) {
          if (i > 0) await sleep(100);
          status = (await ready(p)).status;
        }
        expect(status).toBe(200);
      }

      for (const c of instances) c.kill('SIGTERM');
      for (const c of instances) expect((await c.exited).code).toBe(0);
    },
  );
});
