/**
 * Crash runs: a command runs in a child process and is killed with SIGKILL at a random moment, then
 * run again to completion. After each kill the database must hold exactly the state before the command
 * or exactly the state after it (nothing half-applied), and the re-run must end in exactly the state of
 * an uninterrupted run (digests of the rows, compared with a reference run).
 *
 * The first kill of a series falls anywhere between the start and the moment the reference run entered
 * its transaction; the others wait for the command to say it is inside its transaction, then fall at a
 * random point of its transaction time (the second in its first 30 %), so that most land inside it. A
 * series of one kill (PGlite, whose processes take seconds to open) has only that early one. When no
 * kill of a series landed inside (the transaction ran faster than the reference's), up to three more
 * fall in its first 10 %. The delays come from a seeded generator: the seed is printed, and FAULTS_SEED
 * replays a series.
 */
import { expect } from 'vitest';
import { createRng } from '../../src/demo/rng.js';
import { sleep, spawnTs } from './processes.js';
import type { Copy, Store } from './stores.js';

export interface CrashScenario {
  name: string;
  /** `node --import tsx <entry> <args…>` */
  entry: string;
  args: readonly string[];
  env: Record<string, string | undefined>;
  /** printed by the command once its transaction has begun */
  inside: RegExp;
  /** printed by the command once its transaction has committed */
  done: RegExp;
  /** queries whose rows are the state the command changes (without ids from sequences: a rolled-back run consumes them) */
  state: readonly string[];
  /**
   * the rows that record a committed run (the audit event of an import): one per committed run, so a
   * run killed after its commit and run again leaves two
   */
  record?: string;
}

export interface CrashSummary {
  kills: number;
  /** kills that fell after the command entered its transaction and before it committed */
  inside: number;
  /** kills after which the state was the one before, or the one after */
  before: number;
  after: number;
}

type Digest = string[];
const same = (a: Digest, b: Digest) => a.join() === b.join();
const countOf = (digestEntry: string | undefined) => Number((digestEntry ?? '0:').split(':')[0]);

function hashName(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Runs the command to its end on `copy`; returns when it said it was inside and done (ms since start). */
async function runToEnd(s: CrashScenario, copy: Copy): Promise<{ insideAt: number; doneAt: number }> {
  const child = spawnTs(s.entry, s.args, { ...s.env, ...copy.env });
  const [insideAt, doneAt, exit] = await Promise.all([child.waitFor(s.inside, 60_000), child.waitFor(s.done, 60_000), child.exited]);
  if (exit.code !== 0) throw new Error(`${s.name}: exit ${exit.code}\n${child.output().slice(-3000)}`);
  return { insideAt, doneAt };
}

/** The reference: the state before, an uninterrupted run, the state after, and how long its transaction took. */
async function reference(store: Store, s: CrashScenario) {
  const queries = [...s.state, ...(s.record ? [s.record] : [])];
  const copy = await store.copy();
  try {
    const before = await copy.digest(queries);
    const t = await runToEnd(s, copy);
    const after = await copy.digest(queries);
    expect(same(before, after), `${s.name}: the command changes nothing`).toBe(false);
    return { queries, before, after, t };
  } finally {
    await copy.drop();
  }
}

/** `runs` kills and re-runs of the command (see the module comment); returns what the kills met. */
export async function crashRuns(store: Store, s: CrashScenario, opts: { runs: number; seed: number }): Promise<CrashSummary> {
  const ref = await reference(store, s);
  // the transaction's time, the shortest seen in full runs (the first run of a series is the slowest)
  let transactionMs = Math.max(1, ref.t.doneAt - ref.t.insideAt);
  const rng = createRng((opts.seed ^ hashName(s.name)) >>> 0);
  const summary: CrashSummary = { kills: 0, inside: 0, before: 0, after: 0 };
  const lines = [
    `${s.name} (${store.label}, FAULTS_SEED=${opts.seed}): reference run inside its transaction at ${ref.t.insideAt} ms, committed at ${ref.t.doneAt} ms`,
  ];
  // when no kill landed inside the transaction (it ran faster than the reference), up to three more, earlier
  for (let i = 0; i < opts.runs || (summary.inside === 0 && i < opts.runs + 3); i++) {
    const copy = await store.copy();
    try {
      const child = spawnTs(s.entry, s.args, { ...s.env, ...copy.env });
      let delay: number;
      // a series of one kill has only the early one inside the transaction
      const mode = i >= opts.runs ? 'earliest' : opts.runs === 1 ? 'early' : i === 0 ? 'start' : i === 1 ? 'early' : 'any';
      if (mode === 'start') {
        delay = Math.floor(rng.next() * ref.t.insideAt);
        await sleep(delay);
      } else {
        await child.waitFor(s.inside, 60_000);
        // the second kill early in the transaction (one that surely lands inside), the others anywhere in it
        delay = Math.floor(rng.next() * transactionMs * (mode === 'earliest' ? 0.1 : mode === 'early' ? 0.3 : 1));
        await sleep(delay);
      }
      const sawInside = s.inside.test(child.output());
      const sawDone = s.done.test(child.output());
      child.kill('SIGKILL');
      const exit = await child.exited;
      await copy.settle();
      const found = await copy.digest(ref.queries);
      const state = same(found, ref.before) ? 'before' : same(found, ref.after) ? 'after' : 'half-applied';
      const landedInside = sawInside && !sawDone && state === 'before';
      lines.push(
        `  kill ${i + 1}: ${mode === 'start' ? `${delay} ms after start` : `${delay} ms after entering the transaction`} (${exit.signal ?? `exit ${exit.code}`} at ${exit.atMs} ms) → state ${state}${landedInside ? ', killed inside the transaction' : ''}`,
      );
      expect(state, `${s.name}, kill ${i + 1}: ${lines.at(-1)}`).not.toBe('half-applied');
      summary.kills++;
      if (landedInside) summary.inside++;
      if (state === 'before') summary.before++;
      else summary.after++;
      // run again to its end: exactly the reference's state, and one record per committed run
      const rerun = await runToEnd(s, copy);
      if (state === 'before') transactionMs = Math.max(1, Math.min(transactionMs, rerun.doneAt - rerun.insideAt));
      const final = await copy.digest(ref.queries);
      expect(final.slice(0, s.state.length), `${s.name}, re-run after kill ${i + 1}`).toEqual(ref.after.slice(0, s.state.length));
      if (s.record)
        expect(countOf(final.at(-1)), `${s.name}: one record per committed run`).toBe(
          countOf(ref.before.at(-1)) + (state === 'after' ? 2 : 1),
        );
    } finally {
      await copy.drop();
    }
  }
  lines.push(`  ${summary.kills} kill(s): ${summary.inside} inside the transaction, ${summary.before} before, ${summary.after} after`);
  console.log(lines.join('\n'));
  return summary;
}
