/**
 * The least real time an answer takes, when the work behind it depends on what it must not tell
 * (docs/regles.md#comptes, no account enumeration): creating an account costs a few statements more
 * than finding the triplet taken. Measured on the monotonic timer, not the injected clock: it pads an
 * answer and decides nothing.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Well above these answers' usual time (medians of 16–25 ms measured on 2 cores); a busier server shows only what exceeds it. */
export const EVEN_ANSWER_MS = 80;

/** Runs `work`, then waits until `EVEN_ANSWER_MS` have passed since it started (a refusal included). */
export async function takingEvenTime<T>(work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    const left = EVEN_ANSWER_MS - (performance.now() - start);
    if (left > 0) await sleep(left);
  }
}
