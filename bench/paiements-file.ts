/**
 * The SEPA file of bench/paiements.ts in a process of its own, so that its peak RSS (VmHWM) is the file's
 * alone: `node --import tsx bench/paiements-file.ts <database url> <vague id> file <out.xml>` writes the
 * issued wave's file as « Télécharger » does (`writeWaveFile`, streamed to disk); `… group-by` runs the
 * baseline instead, the transfers' sums by one GROUP BY, in the same kind of process. Each prints one JSON
 * line: the work's milliseconds (process start and database connection excluded), the bytes, the SHA-256,
 * VmRSS before the work and VmHWM after it.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { ManualClock } from '../src/infra/clock.js';
import { loadConfig } from '../src/infra/config.js';
import { openDatabase, selectRows } from '../src/infra/db/index.js';
import { createMailDeliverer } from '../src/infra/mail.js';
import { waveOf, writeWaveFile } from '../src/modules/versements/vagues.js';

export interface FileChildResult {
  mode: 'file' | 'group-by';
  ms: number;
  bytes: number;
  sha256: string;
  rssBeforeMb: number;
  vmHwmMb: number;
}

/** VmRSS and VmHWM of this process, in MB (Linux /proc). */
function memory(): { rss: number; hwm: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

async function child(url: string, vagueId: number, mode: string, out: string | undefined): Promise<FileChildResult> {
  const database = await openDatabase({ url, poolSize: 2 });
  try {
    const [row] = await selectRows<Record<string, unknown>>(database.db, sql`select * from vagues_versement where id = ${vagueId}`);
    if (!row) throw new Error(`no wave ${vagueId}`);
    const w = waveOf(row);
    const before = memory();
    const t0 = performance.now();
    if (mode === 'file') {
      const clock = new ManualClock(new Date());
      const config = loadConfig({ NODE_ENV: 'test' });
      const ctx = { db: database.db, dbKind: database.kind, config, clock, mail: createMailDeliverer(database.db, clock, undefined, '') };
      const r = await writeWaveFile(ctx, database.db, w, createWriteStream(out!));
      return { mode, ms: performance.now() - t0, bytes: r.octets, sha256: r.sha256, rssBeforeMb: before.rss, vmHwmMb: memory().hwm };
    }
    const sums = await selectRows<{ id: string; cents: string }>(
      database.db,
      sql`select virement_id::text as id, sum(montant_cents)::text as cents from lignes_versees where vague_id = ${vagueId} group by virement_id`,
    );
    const total = sums.reduce((s, r) => s + BigInt(r.cents), 0n);
    if (total !== w.totalCents) throw new Error(`GROUP BY total ${total} ≠ the wave's ${w.totalCents}`);
    return { mode: 'group-by', ms: performance.now() - t0, bytes: 0, sha256: '', rssBeforeMb: before.rss, vmHwmMb: memory().hwm };
  } finally {
    await database.close();
  }
}

/** Runs this file as a child process and returns what it printed. */
export function runFileChild(
  benchDir: string,
  opts: { url: string; vagueId: number; mode: 'file' | 'group-by'; out?: string },
): Promise<FileChildResult> {
  const args = [
    '--import',
    'tsx',
    join(benchDir, 'paiements-file.ts'),
    opts.url,
    String(opts.vagueId),
    opts.mode,
    ...(opts.out ? [opts.out] : []),
  ];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { cwd: join(benchDir, '..'), stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000 });
    let text = '';
    p.stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
    p.on('error', reject);
    p.on('exit', (code) => {
      const line = text.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`paiements-file ${opts.mode}: exit ${code}\n${text}`));
      else resolve(JSON.parse(line) as FileChildResult);
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [url, vagueId, mode, out] = process.argv.slice(2);
  child(url!, Number(vagueId), mode!, out).then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
