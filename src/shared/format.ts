/**
 * French formatting of what people read: dates and times (always Paris time, whatever the server's
 * zone), numbers, euros (from integer cents: no float ever touches an amount) and percentages (from
 * basis points). Pages, mails, CSV exports and the command line all use these, so a date or an amount
 * reads the same everywhere.
 */

const PARIS = 'Europe/Paris';
const dateOnly = new Intl.DateTimeFormat('fr-FR', { timeZone: PARIS, day: '2-digit', month: '2-digit', year: 'numeric' });
const timeOnly = new Intl.DateTimeFormat('fr-FR', { timeZone: PARIS, hour: '2-digit', minute: '2-digit' });
const longDate = new Intl.DateTimeFormat('fr-FR', { timeZone: PARIS, dateStyle: 'long' });
const longDateTime = new Intl.DateTimeFormat('fr-FR', { timeZone: PARIS, dateStyle: 'long', timeStyle: 'short' });
const shortDateTime = new Intl.DateTimeFormat('fr-FR', { timeZone: PARIS, dateStyle: 'short', timeStyle: 'short' });
const integer = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });

/** « 05/05/2026 » */
export const formatDate = (d: Date): string => dateOnly.format(d);
/** « 10:00 » */
export const formatTime = (d: Date): string => timeOnly.format(d);
/** « 05/05/2026 à 10:00 » */
export const formatDateTime = (d: Date): string => `${dateOnly.format(d)} à ${timeOnly.format(d)}`;
/** « 05/05/2026 10:00 » (compact, for tables) */
export const formatDateTimeShort = (d: Date): string => shortDateTime.format(d);
/** « 1er juin 2025 » */
export const formatLongDate = (d: Date): string => longDate.format(d).replace(/^1 /, '1er ');
/** « 26 mai 2025 à 09:00 » (ordinary spaces: also printed by the command line) */
export const formatLongDateTime = (d: Date): string =>
  longDateTime
    .format(d)
    .replace(/\u202f|\u00a0/g, ' ')
    .replace(/^1 /, '1er ');

/** 12345 → « 12 345 » (narrow no-break space, as French typography wants). */
export const formatInteger = (n: number | bigint): string => integer.format(n);
/** 12345 → « 12 345 » with an ordinary space: for terminals and plain-text mails. */
export const formatIntegerPlain = (n: number | bigint): string => integer.format(n).replace(/\u202f|\u00a0/g, ' ');
/** 3.25 → « 3,3 » (one decimal at most) */
export const formatDecimal = (n: number, maxDigits = 1): string => n.toLocaleString('fr-FR', { maximumFractionDigits: maxDigits });

/** 123456n → « 1 234,56 € » (narrow no-break spaces as French typography wants). */
export function formatEuros(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const rest = Number(abs % 100n);
  return `${negative ? '-' : ''}${integer.format(abs / 100n)},${String(rest).padStart(2, '0')}\u00a0€`;
}

/** 123456n → « 1 234,56 € » with ordinary spaces: for terminals and plain-text mails. */
export const formatEurosText = (cents: bigint): string => formatEuros(cents).replace(/\u202f|\u00a0/g, ' ');

/** 123456n → « 1234,56 »: for files read by spreadsheets (no thousands separator, no currency sign). */
export function formatEurosPlain(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? '-' : ''}${abs / 100n},${String(abs % 100n).padStart(2, '0')}`;
}

/** 1250 bp → « 12,5 % », 10000 → « 100 % » (no-break space before the sign). */
export function formatPercent(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const frac = Math.abs(bp % 100);
  return frac === 0 ? `${whole}\u00a0%` : `${whole},${String(frac).padStart(2, '0').replace(/0$/, '')}\u00a0%`;
}

/** 1250 bp → « 12,5 »: the number alone, as typed in a percentage field or written in a CSV cell. */
export const formatPercentNumber = (bp: number): string => formatPercent(bp).replace(/\u00a0%$/, '');

/** « 1 établissement », « 2 établissements » (the count formatted). */
export const plural = (n: number, one: string, many: string): string => `${formatInteger(n)} ${n > 1 ? many : one}`;

/** « élément » → « Élément »: the first letter in capital (messages built from parts). */
export const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
