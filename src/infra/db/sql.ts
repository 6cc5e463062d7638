/** Small SQL building blocks shared by the modules' raw queries, the same on PGlite and PostgreSQL. */
import { sql } from 'drizzle-orm';

/** One array parameter (`{"a","b"}`) for `= any($1::text[])` / `unnest($1::uuid[])`, whatever the number of values. */
export const arrayParam = (xs: Iterable<string | boolean>) =>
  `{${[...xs].map((x) => (typeof x === 'boolean' ? (x ? 't' : 'f') : `"${x.replace(/["\\]/g, '\\$&')}"`)).join(',')}}`;

/** `a, b, c` as bound parameters, for `in (…)`. */
export const sqlList = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/** A set of values usable both as `in (…)` and as a `from (…)` row source. */
export const sqlValues = (values: readonly string[]) =>
  sql`values ${sql.join(
    values.map((v) => sql`(${v}::text)`),
    sql`, `,
  )}`;

/** An array column as read back: node-postgres gives arrays, PGlite may give the text form `{a,b}`. */
export function readTextArray(v: string[] | string | null): string[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v;
  const inner = v.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',').map((s) => s.replace(/^"|"$/g, ''));
}
