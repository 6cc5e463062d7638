/**
 * A migrated fresh database and the use cases' context for the payments tests (no HTTP): a manual clock
 * and no SMTP.
 */
import { createHash } from 'node:crypto';
import type { AppContext } from '../../src/app-context.js';
import { ManualClock } from '../../src/infra/clock.js';
import { loadConfig } from '../../src/infra/config.js';
import { migrateDatabase, selectRows, type Database } from '../../src/infra/db/index.js';
import { createMailDeliverer } from '../../src/infra/mail.js';
import { sql } from 'drizzle-orm';
import { freshDatabase } from '../harness.js';
import { collector } from './helpers.js';
import { writeWaveFile, type WaveRow } from '../../src/modules/versements/vagues.js';

export interface PaymentsContext {
  ctx: AppContext;
  clock: ManualClock;
  database: Database;
  drop(): Promise<void>;
}

export async function paymentsContext(now: Date): Promise<PaymentsContext> {
  const fresh = await freshDatabase();
  await migrateDatabase(fresh.database);
  const clock = new ManualClock(now);
  const ctx: AppContext = {
    db: fresh.database.db,
    dbKind: fresh.database.kind,
    config: loadConfig({ NODE_ENV: 'test' }),
    clock,
    mail: createMailDeliverer(fresh.database.db, clock, undefined, ''),
  };
  return { ctx, clock, database: fresh.database, drop: fresh.drop };
}

/** The file of an issued wave as « Télécharger » gives it, and its SHA-256. */
export async function waveFile(ctx: AppContext, w: WaveRow): Promise<{ xml: string; sha256: string }> {
  const c = collector();
  await writeWaveFile(ctx, ctx.db, w, c.out);
  const bytes = c.bytes();
  return { xml: bytes.toString('utf8'), sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** What each allocation line received from issued, unreturned transfers, by line id. */
export async function paidByLine(ctx: AppContext): Promise<Map<number, bigint>> {
  const rows = await selectRows<{ id: string; cents: string }>(
    ctx.db,
    sql`select lv.attribution_id::text as id, sum(lv.montant_cents)::text as cents
          from lignes_versees lv join virements v on v.id = lv.virement_id join vagues_versement w on w.id = lv.vague_id
         where w.statut = 'emise' and v.statut <> 'rejete' group by lv.attribution_id`,
  );
  return new Map(rows.map((r) => [Number(r.id), BigInt(r.cents)]));
}
