/**
 * Observability: every answer carries a request id (the load balancer's X-Request-Id when sensible);
 * /metrics answers Prometheus on the loopback only (or with METRICS_TOKEN), with the request latency
 * by route, the audited logins and lockouts, the queues; and in production every line the process
 * writes on stdout is JSON, with no token in it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createHarness, type Harness } from '../harness.js';
import { adminQuery, databaseUrl } from '../faults/stores.js';
import { freePort, killAllChildren, spawnTs, PRODUCTION_SETTINGS } from '../faults/processes.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids and /metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ registryCount: 5 });
  });
  afterAll(() => h.stop());

  it('sends back the caller’s X-Request-Id when it is sensible, a new UUID otherwise', async () => {
    const given = await h.server.inject({ method: 'GET', url: '/api/health', headers: { 'x-request-id': 'lb-42.a:b_c' } });
    expect(given.headers['x-request-id']).toBe('lb-42.a:b_c');
    const made = await h.server.inject({ method: 'GET', url: '/api/health' });
    expect(String(made.headers['x-request-id'])).toMatch(UUID);
    const hostile = await h.server.inject({ method: 'GET', url: '/api/health', headers: { 'x-request-id': 'a\u2028b <script>' } });
    expect(String(hostile.headers['x-request-id'])).toMatch(UUID);
  });

  it('counts requests by route pattern, logins and lockouts by audited action, and the queues', async () => {
    const visitor = new Client(h);
    await visitor.get('/connexion');
    for (let i = 0; i < 2; i++)
      await visitor.json('/connexion', {
        siret: '73282932000074',
        nom: 'Personne',
        prenom: 'Inconnue',
        password: 'Mauvais-mot-de-passe-1',
      });
    const res = await h.server.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toMatch(/soltea_http_request_duration_seconds_count\{method="GET",route="\/api\/health",status="200"\} [1-9]/);
    // the address never becomes a label: one series per route pattern
    expect(text).not.toMatch(/route="\/api\/health\?/);
    expect(text).toMatch(/soltea_audit_events_total\{action="login.failure"\} [1-9]/);
    expect(text).toMatch(/soltea_queue_length\{queue="mail_outbox"\} \d+/);
    expect(text).toMatch(/soltea_queue_length\{queue="demandes"\} \d+/);
    expect(text).toMatch(/soltea_process_resident_memory_bytes \d+/);
  });

  it('answers 404 to a request forwarded by a proxy, even from the loopback', async () => {
    const res = await h.server.inject({ method: 'GET', url: '/metrics', headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('soltea_');
  });
});

const PG = process.env.TEST_DATABASE_URL;

describe.runIf(PG)('production logs (a real instance on PostgreSQL)', () => {
  const name = `obs_${randomBytes(4).toString('hex')}`;
  let output = () => '';
  let port = 0;
  beforeAll(async () => {
    port = await freePort();
    await adminQuery(PG!, `create database ${name}`);
    const app = spawnTs(
      'src/main.ts',
      [],
      {
        ...PRODUCTION_SETTINGS,
        DATABASE_URL: databaseUrl(PG!, name),
        SMTP_URL: `smtp://127.0.0.1:${await freePort()}`,
        DEMO_SEED: '0',
        LOG_LEVEL: undefined,
        PORT: String(port),
      },
      120_000,
    );
    output = app.output;
    await app.waitFor(/Portail prêt en/, 90_000);
  }, 120_000);
  afterAll(async () => {
    killAllChildren();
    await adminQuery(PG!, `drop database if exists ${name} with (force)`);
  });

  it('writes only JSON lines, one access line per request with its id, and never a token', async () => {
    const secret = 'JETON-SECRET-0123456789abcdef';
    await fetch(`http://127.0.0.1:${port}/mot-de-passe/nouveau?jeton=${secret}`, { headers: { 'x-request-id': 'trace-obs-1' } });
    await new Promise((r) => setTimeout(r, 300)); // the child's pipe
    const lines = output()
      .split('\n')
      .filter((l) => l.trim() !== '');
    const parsed = lines.map((l) => JSON.parse(l) as { msg?: string; reqId?: string; req?: { url: string } });
    expect(parsed.some((l) => l.msg?.includes('Portail prêt'))).toBe(true);
    const access = parsed.filter((l) => l.reqId === 'trace-obs-1');
    expect(access.length).toBeGreaterThanOrEqual(2); // incoming request, request completed
    expect(access.find((l) => l.req)?.req?.url).toContain('jeton=[masqué]');
    expect(output()).not.toContain(secret);
  });
});
