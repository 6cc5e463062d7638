/**
 * Graceful stop: an instance (src/main.ts, the program of `npm start`) receives SIGTERM — a deployment
 * replacing it, the orchestrator scaling down — while a request is in flight. The request is held by
 * its client: its headers are sent, then half of its body, and the rest only after the signal. The
 * request completes with its own answer (a refused sign-in, read from the database after the signal),
 * new connections are refused from the signal on, the process prints its stop line and exits 0 well
 * within its timeout (SHUTDOWN_TIMEOUT_MS, 20 s).
 *
 * On PostgreSQL (a fresh database on TEST_DATABASE_URL, production settings) and on PGlite (a
 * temporary folder, development settings).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, databaseUrl } from './stores.js';
import { freePort, killAllChildren, sleep, spawnTs, type Child, PRODUCTION_SETTINGS } from './processes.js';

const PG = process.env.TEST_DATABASE_URL;
const name = `f_stop_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'faults-stop-'));
let port = 0;
let app: Child;

beforeAll(async () => {
  port = await freePort();
  const database: Record<string, string | undefined> = PG
    ? {
        ...PRODUCTION_SETTINGS,
        DATABASE_URL: databaseUrl(PG, name),
        SMTP_URL: `smtp://127.0.0.1:${await freePort()}`,
      }
    : { NODE_ENV: 'development', PGLITE_DIR: join(dir, 'pglite') };
  if (PG) await adminQuery(PG, `create database ${name}`);
  app = spawnTs('src/main.ts', [], { ...database, DEMO_SEED: '0', PORT: String(port) }, 120_000);
  await app.waitFor(/Portail prêt en/, 90_000);
}, 120_000);

afterAll(async () => {
  killAllChildren();
  if (PG) await adminQuery(PG, `drop database if exists ${name} with (force)`);
  rmSync(dir, { recursive: true, force: true });
});

/** Connects to the instance: 'connected', or the error's code (ECONNREFUSED once it stopped listening). */
function tryConnect(): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** Everything the server sends on `socket` until it closes it. */
function answerOf(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
    socket.once('close', () => resolve(text));
    socket.once('error', reject);
  });
}

describe(`SIGTERM with a request in flight (${PG ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('the request completes with its answer, new connections are refused, the process exits 0', { timeout: 60_000 }, async () => {
    // the anonymous CSRF token of a sign-in form
    const page = await fetch(`http://127.0.0.1:${port}/connexion`, { headers: { accept: 'text/html', connection: 'close' } });
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(await page.text())![1]!;
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const body = JSON.stringify({ siret: '99900100100018', nom: 'PERSONNE', prenom: 'Inconnue', password: 'Pas-le-bon-mot-2026' });
    const half = Math.floor(body.length / 2);

    // the held request: its headers (the server says « 100 Continue » once it has read them) and half
    // of its body now, the rest after the signal
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const answer = answerOf(socket);
    const continued = new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write(
      `POST /connexion HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nAccept: application/json\r\n` +
        `X-CSRF-Token: ${csrf}\r\nCookie: ${cookie}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await continued;
    socket.write(body.slice(0, half));
    await sleep(100);

    const signalled = app.elapsed();
    app.kill('SIGTERM');
    await app.waitFor(/SIGTERM reçu : arrêt du portail/, 5_000);
    // no new connection from now on
    let refused = '';
    for (let i = 0; i < 20 && refused !== 'ECONNREFUSED'; i++) {
      refused = await tryConnect();
      if (refused !== 'ECONNREFUSED') await sleep(50);
    }
    expect(refused).toBe('ECONNREFUSED');
    await sleep(500);

    // the held request completes, with its own answer, and the server then closes its connection
    socket.write(body.slice(half));
    const sent = performance.now();
    const raw = await answer;
    expect(performance.now() - sent).toBeLessThan(5_000);
    expect(raw).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
    const [, head, json] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 401 /);
    expect(head).toMatch(/^connection: close$/im);
    expect(head).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(json!)).toMatchObject({ status: 401, code: 'identifiants_invalides' });

    const exit = await app.exited;
    expect(exit.code).toBe(0);
    expect(app.output()).toContain('Portail arrêté proprement.');
    const stopMs = exit.atMs - signalled;
    console.log(`stopped ${stopMs} ms after SIGTERM, the held request included`);
    expect(stopMs).toBeLessThan(10_000);
  });
});
