/**
 * Crashes of a payment wave (ADR 0007 « never twice, never lost »): wave 2 of a generated world — wave 1
 * already issued, then DSN increases and bank details verified — is prepared, approved and issued by
 * a child process (children/versements.ts, the use cases the operator's screens call), killed with
 * SIGKILL at seeded random moments inside each step's transaction, then resumed where the wave stands.
 *
 * The reference runs the three steps one process each and records the state after each (waves,
 * transfers, lines paid, unpayable shares with the wave-1 shares the issue settles, and the audit of
 * the outcome — without ids from sequences, which a rolled-back run consumes). After a kill the state
 * must be one of those four, never a step half-applied; the resumed run must end in exactly the
 * reference's final state and write a SEPA file byte-identical to the reference's, valid against both
 * XSDs.
 *
 * Runs on PostgreSQL (TEST_DATABASE_URL, two kills per step) and on PGlite (a folder, one kill per step:
 * each PGlite process takes seconds to open). FAULTS_SEED replays a series.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { createRng } from '../../src/demo/rng.js';
import { ManualClock } from '../../src/infra/clock.js';
import { loadConfig } from '../../src/infra/config.js';
import { migrateDatabase, type Database } from '../../src/infra/db/index.js';
import { createMailDeliverer } from '../../src/infra/mail.js';
import { prepareWave } from '../../src/modules/versements/preparation.js';
import { approveWave, issueWave } from '../../src/modules/versements/vagues.js';
import { expectValidPain001 } from '../versements/helpers.js';
import { ANNEE, generatedWorldSpec, seedWorld, WAVE_1_DAY, WAVE_2_DAY } from '../versements/world.js';
import { faultSeed, killAllChildren, sleep, spawnTs, type Child } from './processes.js';
import { pgliteStore, postgresStore, type Copy, type Store } from './stores.js';

const PG = process.env.TEST_DATABASE_URL;
/** kills per step */
const PER_STEP = PG ? 2 : 1;
const SEED = faultSeed();
const STEPS = ['prepare', 'approve', 'issue'] as const;
type Step = (typeof STEPS)[number];

const dir = mkdtempSync(join(tmpdir(), 'faults-versements-'));
let store: Store;

/** The world, wave 1 issued, then what changes before wave 2: crédits raised by a DSN correction, bank details verified. */
async function prepare(database: Database) {
  await migrateDatabase(database);
  const clock = new ManualClock(WAVE_1_DAY);
  const config = loadConfig({ NODE_ENV: 'test' });
  const ctx: AppContext = {
    db: database.db,
    dbKind: database.kind,
    config,
    clock,
    mail: createMailDeliverer(database.db, clock, undefined, ''),
  };
  const w = await seedWorld(ctx.db, generatedWorldSpec(2025, 80, 160));
  const r = await prepareWave(ctx, w.gestionnaire, ANNEE, 1);
  if (!r.ok) throw new Error(r.problem.message);
  const approved = await approveWave(ctx, w.valideur, r.vagueId);
  if (!approved.ok) throw new Error(approved.problem.message);
  const issued = await issueWave(ctx, w.valideur, r.vagueId);
  if (!issued.ok) throw new Error(issued.problem.message);
  await ctx.db.execute(sql`update enveloppes set credits_cents = credits_cents * 6 / 5 where right(siret, 1)::int % 3 = 0`);
  await ctx.db.execute(sql`update coordonnees_bancaires set statut = 'verifiee' where statut = 'en_attente' and id % 2 = 0`);
}

beforeAll(async () => {
  store = PG ? await postgresStore(PG, prepare) : await pgliteStore(prepare);
}, 180_000);

afterAll(async () => {
  killAllChildren();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the way of a wave changes, without sequence ids (the wave and transfer of a row are named by their ids of the SEPA file). */
const STATE = [
  `select annee, numero, nature, date_execution, statut, preparee_le, preparee_par, approuvee_le, approuvee_par, emise_le, emise_par,
          annulee_le, nb_virements, total_cents, msg_id, fichier_nom, fichier_sha256 from vagues_versement`,
  `select w.msg_id, v.annee, v.beneficiaire_siret, v.beneficiaire_nom, v.montant_cents, v.numero, v.libelle, v.end_to_end_id,
          v.coordonnees_id, v.iban, v.bic, v.titulaire, v.statut, v.motif_code, v.motif_libelle, v.rejete_le
     from virements v join vagues_versement w on w.id = v.vague_id`,
  `select lv.attribution_id, w.msg_id, v.end_to_end_id, lv.annee, lv.siret_employeur, lv.montant_cents
     from lignes_versees lv join vagues_versement w on w.id = lv.vague_id join virements v on v.id = lv.virement_id`,
  `select w.msg_id, nv.annee, nv.attribution_id, nv.siret_employeur, nv.beneficiaire_siret, nv.montant_cents, nv.motif, nv.motif_detail,
          nv.statut, nv.cree_le, nv.decide_le, nv.decide_par, nv.employeur_prevenu
     from non_versables nv join vagues_versement w on w.id = nv.vague_id`,
  `select at, action, actor_agent_id, details - 'vagueId' as details from audit_events where action like 'vague.%'`,
];

const ENV = { NODE_ENV: 'test', FAULTS_NOW: WAVE_2_DAY.toISOString(), FAULTS_ANNEE: String(ANNEE), FAULTS_VAGUE: '2', LOG_LEVEL: 'silent' };
const ENTRY = 'test/faults/children/versements.ts';
const spawnChild = (copy: Copy, args: string[]): Child => spawnTs(ENTRY, args, { ...ENV, ...copy.env });

async function toEnd(copy: Copy, args: string[]): Promise<Child> {
  const child = spawnChild(copy, args);
  const exit = await child.exited;
  if (exit.code !== 0) throw new Error(`${args.join(' ')}: exit ${exit.code}\n${child.output().slice(-3000)}`);
  return child;
}

/** Milliseconds between a step's `TRANSACTION` line and its `FAIT` line, from the child's output timing. */
async function stepTimes(child: Child, step: Step): Promise<number> {
  const inside = await child.waitFor(new RegExp(`^TRANSACTION ${step}$`, 'm'), 60_000);
  const done = await child.waitFor(new RegExp(`^FAIT ${step}$`, 'm'), 60_000);
  return Math.max(1, done - inside);
}

/** The reference: the state before and after each step (one process each), each step's transaction time, and the file. */
async function reference() {
  const copy = await store.copy();
  try {
    const states = [await copy.digest(STATE)];
    const times = {} as Record<Step, number>;
    const file = join(dir, 'reference.xml');
    for (const step of STEPS) {
      // the last step as the resumed run takes it: it issues the wave, then writes its file
      const child = spawnChild(copy, step === 'issue' ? ['reprendre', file] : [step]);
      times[step] = await stepTimes(child, step);
      const exit = await child.exited;
      if (exit.code !== 0) throw new Error(`${step}: exit ${exit.code}\n${child.output().slice(-3000)}`);
      if (step === 'issue') expect(child.output()).toContain(`FICHIER ${createHash('sha256').update(readFileSync(file)).digest('hex')}`);
      states.push(await copy.digest(STATE));
    }
    const xml = readFileSync(file);
    return { states, times, xml };
  } finally {
    await copy.drop();
  }
}

describe(`SIGKILL during a payment wave (${PG ? 'PostgreSQL' : 'PGlite'})`, () => {
  it(
    'prepare, approve, issue: killed at any point and resumed, the database and the SEPA file end as an uninterrupted run',
    { timeout: 240_000 },
    async () => {
      const ref = await reference();
      for (let k = 1; k < ref.states.length; k++)
        expect(ref.states[k], `step ${STEPS[k - 1]} changes the state`).not.toEqual(ref.states[k - 1]);
      await expectValidPain001(ref.xml.toString('utf8'));
      expect(ref.xml.toString('utf8')).toContain('<MsgId>SOLTEA-2025-V2-1</MsgId>');

      const rng = createRng(SEED);
      const lines = [`wave 2 (FAULTS_SEED=${SEED}): reference transactions ${STEPS.map((s) => `${s} ${ref.times[s]} ms`).join(', ')}`];
      let inside = 0;
      const stateName = (digest: string[]) => {
        const i = ref.states.findIndex((s) => s.join() === digest.join());
        return i < 0 ? 'half-applied' : ['before', 'prepared', 'approved', 'issued'][i]!;
      };
      for (let i = 0; i < STEPS.length * PER_STEP; i++) {
        const step = STEPS[i % STEPS.length]!;
        const copy = await store.copy();
        try {
          const file = join(dir, `resumed-${i}.xml`);
          const child = spawnChild(copy, ['reprendre', file]);
          await child.waitFor(new RegExp(`^TRANSACTION ${step}$`, 'm'), 60_000);
          // the first kill of a step early in its transaction (it surely lands inside), the others anywhere in it
          const delay = Math.floor(rng.next() * ref.times[step] * (i < STEPS.length ? 0.3 : 1));
          await sleep(delay);
          const sawDone = new RegExp(`^FAIT ${step}$`, 'm').test(child.output());
          child.kill('SIGKILL');
          const exit = await child.exited;
          await copy.settle();
          const state = stateName(await copy.digest(STATE));
          const landed = !sawDone && state === ['before', 'prepared', 'approved'][STEPS.indexOf(step)];
          if (landed) inside++;
          lines.push(
            `  kill ${i + 1}: ${delay} ms into « ${step} » (${exit.signal ?? `exit ${exit.code}`}) → ${state}${landed ? ', killed inside the transaction' : ''}`,
          );
          expect(state, lines.at(-1)).not.toBe('half-applied');
          // resumed where the wave stands: the reference's final state, and the same file byte for byte
          await toEnd(copy, ['reprendre', file]);
          expect(await copy.digest(STATE), `resumed after kill ${i + 1}`).toEqual(ref.states[3]);
          expect(readFileSync(file).equals(ref.xml), `the file after kill ${i + 1} is the reference's`).toBe(true);
        } finally {
          await copy.drop();
        }
      }
      lines.push(`  ${STEPS.length * PER_STEP} kill(s), ${inside} inside a transaction`);
      console.log(lines.join('\n'));
      expect(inside, 'some kills must land inside a transaction').toBeGreaterThan(0);
    },
  );
});
