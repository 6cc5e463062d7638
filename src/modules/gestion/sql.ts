/** Small SQL building blocks of the « Gestion » queries, the same on PGlite and PostgreSQL. */
import { sql } from 'drizzle-orm';

/** One array parameter (`{"a","b"}`) for `= any($1::text[])` / `unnest($1::uuid[])`. */
export const pgArray = (xs: readonly (string | boolean)[]) =>
  `{${xs.map((x) => (typeof x === 'boolean' ? (x ? 't' : 'f') : `"${x.replace(/["\\]/g, '\\$&')}"`)).join(',')}}`;

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
