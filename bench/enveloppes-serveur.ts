/**
 * `npx tsx bench/enveloppes-serveur.ts`: the national envelope file imported as the operator's « Imports »
 * page does it — inside the web server's process (the whole application built and listening), through
 * the import job's own function (`runImportType`, src/modules/operateur/import-types.ts) — and the
 * process's resident memory sampled during the import. Target (issue 13): the peak under 500 MB. Not a
 * timed test: it prints the server's memory at rest (the baseline, measured in the same run), its peak
 * during the import, the time and the CPU time.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_ENVELOPE_FILE=<file> npx tsx bench/enveloppes-serveur.ts
 *
 * The file is the national one of bench/enveloppes.ts (`BENCH_PARSE_ONLY=1 BENCH_KEEP_FILE=1`); the
 * database a fresh one on BENCH_DATABASE_URL, dropped at the end.
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { loadavg } from 'node:os';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/infra/config.js';
import { runImportType } from '../src/modules/operateur/import-types.js';
import { freshBenchDatabase } from './setup.js';

const file = process.env.BENCH_ENVELOPE_FILE;
const base = process.env.BENCH_DATABASE_URL;
if (!file || !base) throw new Error('BENCH_ENVELOPE_FILE and BENCH_DATABASE_URL are needed');
const TARGET_MB = 500;
/** the 2023 arrêté's fee: the national file bears the national fee */
const FEE = 1_122_542_400n;

const mb = (b: number) => Math.round(b / 1024 / 1024);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

const fresh = await freshBenchDatabase(base);
try {
  const app = await createApp(loadConfig({ ...process.env, PORT: '0' }), { database: fresh.database });
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  const atRest = process.memoryUsage.rss();
  let peak = atRest;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
  const cpu = process.cpuUsage();
  const started = performance.now();
  console.log(`Server listening (${fresh.label}), RSS at rest ${mb(atRest)} MB, load ${load()}`);
  const outcome = await runImportType(fresh.database.db, 'enveloppes', {
    path: file,
    fichier: basename(file),
    annee: 2025,
    fraisCents: FEE,
    agentId: randomUUID(),
    now: new Date('2025-05-12T08:00:00Z'),
    onProgress: () => undefined,
  });
  const ms = performance.now() - started;
  clearInterval(sampler);
  const used = process.cpuUsage(cpu);
  console.log(outcome.rapport.slice(0, 3).join('\n'));
  console.log(
    `Import in the server: ${outcome.ok ? 'réussi' : 'refusé'} in ${(ms / 1000).toFixed(1)} s (CPU ${((used.user + used.system) / 1e6).toFixed(1)} s), ` +
      `RSS at rest ${mb(atRest)} MB, peak during the import ${mb(peak)} MB (process maximum ${Math.round(process.resourceUsage().maxRSS / 1024)} MB), ` +
      `target < ${TARGET_MB} MB ${mb(peak) < TARGET_MB ? 'met' : 'MISSED'}; load now ${load()}`,
  );
  await app.server.close();
} finally {
  await fresh.drop();
}
