/**
 * Calendar days of Europe/Paris, written `AAAA-MM-JJ` (ISO 8601), and their instants: the calendar of a
 * campaign is made of such days (docs/regles.md#calendrier). A day runs from 00:00 to 23:59:59.999
 * Paris time; conversions use `Intl` with the IANA zone, so summer time (UTC+2) and winter time (UTC+1)
 * are both right without any dependency. Pure: no clock, no I/O.
 */

export const PARIS_TIME_ZONE = 'Europe/Paris';

/** A calendar day `AAAA-MM-JJ` (Europe/Paris). */
export type Jour = string;

const JOUR_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for an existing calendar day written AAAA-MM-JJ (years 1900–2999). */
export function isJour(value: unknown): value is Jour {
  if (typeof value !== 'string') return false;
  const m = JOUR_RE.exec(value);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function jourParts(j: Jour): [number, number, number] {
  const m = JOUR_RE.exec(j);
  if (!m || !isJour(j)) throw new RangeError(`Jour invalide : ${j}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** The day `n` days after `j` (n may be negative). */
export function addDays(j: Jour, n: number): Jour {
  const [y, m, d] = jourParts(j);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The same day `n` months later, clamped to the month's end (31 May + 1 month → 30 June). */
export function addMonths(j: Jour, n: number): Jour {
  const [y, m, d] = jourParts(j);
  const first = new Date(Date.UTC(y, m - 1 + n, 1));
  const ty = first.getUTCFullYear();
  const tm = first.getUTCMonth() + 1;
  return `${ty}-${String(tm).padStart(2, '0')}-${String(Math.min(d, daysInMonth(ty, tm))).padStart(2, '0')}`;
}

/** Number of calendar days from `a` to `b` (b − a). */
export function daysBetween(a: Jour, b: Jour): number {
  const [ya, ma, da] = jourParts(a);
  const [yb, mb, db] = jourParts(b);
  return Math.round((Date.UTC(yb, mb - 1, db) - Date.UTC(ya, ma - 1, da)) / 86_400_000);
}

const parisFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: PARIS_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function parisWallClock(t: number): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const parts: Record<string, number> = {};
  for (const p of parisFormatter.formatToParts(new Date(t))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, m: parts.month!, d: parts.day!, h: parts.hour!, mi: parts.minute!, s: parts.second! };
}

/** Offset of Paris from UTC at instant `t`, in milliseconds (3,600,000 in winter, 7,200,000 in summer). */
export function parisOffsetMs(t: number): number {
  const base = Math.floor(t / 1000) * 1000;
  const w = parisWallClock(base);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - base;
}

/** The Paris calendar day of an instant. */
export function parisDayOf(instant: Date): Jour {
  const w = parisWallClock(instant.getTime());
  return `${w.y}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

/**
 * Days already converted (a campaign has a dozen days and every phase check converts them: Intl is the
 * costliest part of a Synthèse, bench/allocations.ts). Bounded, so arbitrary input cannot grow it.
 */
const startOfDayCache = new Map<Jour, number>();

/** The instant of 00:00:00.000 Paris time on day `j`. */
export function parisStartOfDay(j: Jour): Date {
  const known = startOfDayCache.get(j);
  if (known !== undefined) return new Date(known);
  const t = computeParisStartOfDay(j);
  if (startOfDayCache.size >= 4096) startOfDayCache.clear();
  startOfDayCache.set(j, t.getTime());
  return t;
}

function computeParisStartOfDay(j: Jour): Date {
  const [y, m, d] = jourParts(j);
  const wall = Date.UTC(y, m - 1, d);
  // Two passes: the offset at the guess may differ from the offset at the answer around a change of
  // time (Paris changes at 02:00/03:00, never at midnight, but the method does not rely on it).
  let t = wall - parisOffsetMs(wall);
  t = wall - parisOffsetMs(t);
  return new Date(t);
}

/** The last millisecond of day `j`, Paris time (23:59:59.999). */
export function parisEndOfDay(j: Jour): Date {
  return new Date(parisStartOfDay(addDays(j, 1)).getTime() - 1);
}

const frenchDay = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** « 26 mai 2025 » (« 1er » for the first day of a month). */
export function formatJour(j: Jour): string {
  const [y, m, d] = jourParts(j);
  const s = frenchDay.format(new Date(Date.UTC(y, m - 1, d)));
  return d === 1 ? s.replace(/^1 /, '1er ') : s;
}
