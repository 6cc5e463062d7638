/**
 * The built release (`npm run build`, then `npm start` in production): the bundle serves the portal
 * with no tsx and no esbuild at run time (no child process at all: esbuild's service would be one), the
 * browser script comes prebuilt from dist/client, the migrations from dist/migrations, and SIGTERM stops
 * it cleanly with its log line. On PostgreSQL (TEST_DATABASE_URL: production settings, as an operator
 * runs it) and on PGlite (development settings, the same bundle).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, databaseUrl } from '../faults/stores.js';
import { freePort, killAllChildren, ROOT, spawnNode, spawnTs, type Child, PRODUCTION_SETTINGS } from '../faults/processes.js';

const PG = process.env.TEST_DATABASE_URL;
const name = `rel_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'release-'));
let port = 0;
let app: Child;

beforeAll(async () => {
  const build = spawnTs('scripts/build.ts', [], {}, 120_000);
  expect((await build.exited).code, build.output()).toBe(0);
  port = await freePort();
  const database: Record<string, string | undefined> = PG
    ? {
        ...PRODUCTION_SETTINGS,
        DATABASE_URL: databaseUrl(PG, name),
        SMTP_URL: `smtp://127.0.0.1:${await freePort()}`,
      }
    : { NODE_ENV: 'development', PGLITE_DIR: join(dir, 'pglite') };
  if (PG) await adminQuery(PG, `create database ${name}`);
  // production: `npm start` is `node scripts/start.mjs`, which runs dist/main.js in its own process
  app = spawnNode(PG ? ['scripts/start.mjs'] : ['dist/main.js'], { ...database, DEMO_SEED: '0', PORT: String(port) }, 150_000);
  await app.waitFor(/Portail prêt en/, 120_000);
}, 240_000);

afterAll(async () => {
  killAllChildren();
  if (PG) await adminQuery(PG, `drop database if exists ${name} with (force)`);
  rmSync(dir, { recursive: true, force: true });
});

/** The pids of a process's children ('' when none: ps then exits 1). */
function childrenOf(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

describe('the built release', () => {
  it('serves the portal, the prebuilt browser script and the readiness probe, with no child process', async () => {
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/api/ready`)).status).toBe(200);
    const home = await fetch(`${base}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('net-entreprises</title>');
    const script = await fetch(`${base}/assets/app.js`);
    expect(await script.text()).toBe(readFileSync(join(ROOT, 'dist/client/app.js'), 'utf8'));
    expect(childrenOf(app.pid)).toBe('');
    expect(app.output()).not.toMatch(/tsx|esbuild/);
  });

  it('stops on SIGTERM with its log line and exit code 0', async () => {
    app.kill('SIGTERM');
    const exit = await app.exited;
    expect(exit.code).toBe(0);
    expect(app.output()).toContain('Portail arrêté proprement.');
  }, 30_000);
});
