/**
 * A child process of test/faults/crash-attributions.test.ts: one use case of the employer space on the
 * database of the environment (DATABASE_URL or PGLITE_DIR), at the fixed instant FAULTS_NOW, as the
 * person FAULTS_USER_ID — what a request of the application would do, without the HTTP around it.
 *
 *   node --import tsx test/faults/children/attributions.ts import-csv <file.csv>
 *   node --import tsx test/faults/children/attributions.ts changer <siret> <items.json>
 *
 * It prints `TRANSACTION` when a transaction begins (the test kills it after that line), then `FAIT`
 * and the outcome once the use case has returned (committed); exit 0 when the change was accepted.
 */
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import type { AppContext } from '../../../src/app-context.js';
import { ManualClock } from '../../../src/infra/clock.js';
import { loadConfig } from '../../../src/infra/config.js';
import { openDatabase, type Db } from '../../../src/infra/db/index.js';
import { users } from '../../../src/infra/db/schema.js';
import { createMailDeliverer } from '../../../src/infra/mail.js';
import type { TargetShare } from '../../../src/modules/attributions/apply-change.js';
import { changeChoices } from '../../../src/modules/attributions/choix.js';
import { importAttributions } from '../../../src/modules/attributions/import-csv.js';

/** Says when a transaction begins: instrumentation of the test, the use case runs unchanged. */
function announceTransactions(db: Db): void {
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn, config) =>
    transaction(async (tx) => {
      process.stdout.write('TRANSACTION\n');
      return fn(tx);
    }, config)) as Db['transaction'];
}

async function main(args: string[]): Promise<number> {
  const config = loadConfig(process.env);
  const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
  try {
    const clock = new ManualClock(new Date(process.env.FAULTS_NOW!));
    const ctx: AppContext = {
      db: database.db,
      dbKind: database.kind,
      config,
      clock,
      mail: createMailDeliverer(database.db, clock, undefined, config.MAIL_FROM),
    };
    const [user] = await ctx.db.select().from(users).where(eq(users.id, process.env.FAULTS_USER_ID!));
    if (!user) throw new Error('FAULTS_USER_ID: unknown person');
    announceTransactions(ctx.db);
    const [command, ...rest] = args;
    if (command === 'import-csv') {
      const r = await importAttributions(ctx, user, { content: readFileSync(rest[0]!), valider: true });
      console.log(`FAIT ${r.ok ? `${r.modifies} client(s) modifié(s)` : JSON.stringify(r.report.slice(0, 5))}`);
      return r.ok ? 0 : 1;
    }
    if (command === 'changer') {
      const items = JSON.parse(readFileSync(rest[1]!, 'utf8')) as TargetShare[];
      const r = await changeChoices(ctx, {
        annee: Number(process.env.FAULTS_ANNEE),
        siret: rest[0]!,
        actor: { userId: user.id, espaceId: user.espaceId },
        expectedVersion: null,
        change: { kind: 'remplacer', items, valider: true },
        source: 'api',
      });
      console.log(`FAIT ${r.ok ? `version ${r.version}` : JSON.stringify(r.errors.slice(0, 5))}`);
      return r.ok ? 0 : 1;
    }
    throw new Error(`unknown command ${command}`);
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
