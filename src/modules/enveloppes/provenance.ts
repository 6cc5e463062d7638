/**
 * The stored form of where a declaration comes from: its payroll period (`periode`) and its deposit
 * instant (`depose_le`). Cached per import: a national file repeats a few periods and deposit dates.
 */
import { parisOffsetMs } from '../../domain/jours.js';
import type { EnvelopeInputRow } from './aggregation.js';
import type { Periode } from './lines.js';

/** Paris local `AAAA-MM-JJ[THH:MM[:SS]]` → instant (milliseconds), exact across changes of time. */
export function parisLocalToMs(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (!m) throw new RangeError(`date de dépôt illisible : ${s}`);
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  let t = wall - parisOffsetMs(wall);
  t = wall - parisOffsetMs(t);
  return t;
}

/** The payroll period as stored: '2024' for the whole year, else '2024-01-01/2024-06-30'. */
export function periodeText(p: Periode): string {
  const y = p.debut.slice(0, 4);
  return p.debut === `${y}-01-01` && p.fin === `${y}-12-31` ? y : `${p.debut}/${p.fin}`;
}

/** Stored form of a declaration's period and deposit date (cached: a national file repeats a few values). */
export function createProvenance() {
  // keyed by value: the period objects are made anew for each chunk read back (staging.ts)
  const periodes = new Map<string, string>();
  const deposes = new Map<string, number>();
  return {
    periode(input: EnvelopeInputRow): string {
      const p = input.periode;
      const key = `${p.debut}|${p.fin}`;
      let t = periodes.get(key);
      if (t === undefined) periodes.set(key, (t = periodeText(p)));
      return t;
    },
    deposeMs(input: EnvelopeInputRow): number | null {
      if (!input.deposeLe) return null;
      let t = deposes.get(input.deposeLe);
      if (t === undefined) deposes.set(input.deposeLe, (t = parisLocalToMs(input.deposeLe)));
      return t;
    },
  };
}
export type Provenance = ReturnType<typeof createProvenance>;
