/**
 * A child process of test/faults/crash-versements.test.ts: the way of one payment wave — prepare
 * (gestionnaire g1@cdc.test), approve (valideur v1@cdc.test), issue — through the use cases the operator's
 * screens call, on the database of the environment (DATABASE_URL or PGLITE_DIR), at the fixed instant
 * FAULTS_NOW, for wave FAULTS_VAGUE of campaign FAULTS_ANNEE.
 *
 *   node --import tsx test/faults/children/versements.ts prepare|approve|issue     one step
 *   node --import tsx test/faults/children/versements.ts reprendre <file.xml>      resumes where the wave
 *       stands (none: prepare; prepared: approve; approved: issue), then writes the issued wave's file
 *
 * It prints `ETAPE <step>` before a step, `TRANSACTION <step>` when its transaction begins (the test kills
 * it after that line), `FAIT <step>` once the step has committed, and `FICHIER <sha256>` once the file is
 * written; exit 0 when every step was accepted.
 */
import { createWriteStream } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../../src/app-context.js';
import { ManualClock } from '../../../src/infra/clock.js';
import { loadConfig } from '../../../src/infra/config.js';
import { openDatabase, selectRows, type Db } from '../../../src/infra/db/index.js';
import { createMailDeliverer } from '../../../src/infra/mail.js';
import { prepareWave, type AgentRef } from '../../../src/modules/versements/preparation.js';
import { approveWave, issueWave, waveOf, writeWaveFile, type WaveRow } from '../../../src/modules/versements/vagues.js';

type Step = 'prepare' | 'approve' | 'issue';
let current: Step | null = null;

/** Says when a transaction begins, and of which step: instrumentation of the test, the use cases run unchanged. */
function announceTransactions(db: Db): void {
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn, config) =>
    transaction(async (tx) => {
      process.stdout.write(`TRANSACTION ${current}\n`);
      return fn(tx);
    }, config)) as Db['transaction'];
}

async function agent(ctx: AppContext, courriel: string): Promise<AgentRef> {
  const [a] = await selectRows<{ id: string; role: AgentRef['role'] }>(
    ctx.db,
    sql`select id::text, role from agents where courriel = ${courriel}`,
  );
  if (!a) throw new Error(`no agent ${courriel}`);
  return a;
}

/** The wave in progress or issued (not cancelled), or null. */
async function currentWave(ctx: AppContext, annee: number, numero: number): Promise<WaveRow | null> {
  const [w] = await selectRows<Record<string, unknown>>(
    ctx.db,
    sql`select * from vagues_versement where annee = ${annee} and numero = ${numero} and statut <> 'annulee'`,
  );
  return w ? waveOf(w) : null;
}

async function runStep(ctx: AppContext, step: Step, annee: number, numero: number): Promise<void> {
  current = step;
  process.stdout.write(`ETAPE ${step}\n`);
  const w = await currentWave(ctx, annee, numero);
  const r =
    step === 'prepare'
      ? await prepareWave(ctx, await agent(ctx, 'g1@cdc.test'), annee, numero)
      : step === 'approve'
        ? await approveWave(ctx, await agent(ctx, 'v1@cdc.test'), w!.id)
        : await issueWave(ctx, await agent(ctx, 'v1@cdc.test'), w!.id);
  if (!r.ok) throw new Error(`${step}: ${r.problem.message}`);
  process.stdout.write(`FAIT ${step}\n`);
}

const NEXT: Record<WaveRow['statut'] | 'aucune', Step | null> = {
  aucune: 'prepare',
  preparee: 'approve',
  approuvee: 'issue',
  emise: null,
  annulee: 'prepare',
};

async function resume(ctx: AppContext, annee: number, numero: number, file: string): Promise<void> {
  for (;;) {
    const w = await currentWave(ctx, annee, numero);
    const step = NEXT[w?.statut ?? 'aucune'];
    if (step === null) {
      const out = createWriteStream(file);
      const written = await writeWaveFile(ctx, ctx.db, w!, out);
      process.stdout.write(`FICHIER ${written.sha256}\n`);
      return;
    }
    await runStep(ctx, step, annee, numero);
  }
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
    announceTransactions(ctx.db);
    const annee = Number(process.env.FAULTS_ANNEE);
    const numero = Number(process.env.FAULTS_VAGUE);
    const [command, file] = args;
    if (command === 'reprendre') await resume(ctx, annee, numero, file!);
    else if (command === 'prepare' || command === 'approve' || command === 'issue') await runStep(ctx, command, annee, numero);
    else throw new Error(`unknown command ${command}`);
    return 0;
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
