/**
 * « Recherche établissement »: a word of the name typed with one typo (« famililae »), corrected against
 * the vocabulary of the year's names (`ref_mots`, rebuilt by each referential import,
 * modules/referentiel/vocabulaire.ts) by exact look-ups of its one-edit variants, as a commune's name is
 * (communes.ts) — instead of comparing trigrams with thousands of names.
 */
import { sql } from 'drizzle-orm';
import { selectRows, type Db } from '../../infra/db/index.js';
import { oneEditVariants } from '../../domain/recherche.js';
import { arrayParam } from '../../infra/db/sql.js';

/** Letters a word of a name is corrected with (one edit: a word stays one word). */
const WORD_ALPHABET = 'abcdefghijklmnopqrstuvwxyz';
/** At most this many corrections of one word are kept (the first in alphabetical order). */
const MAX_CORRECTIONS = 3;

/**
 * For each word found nowhere, the words of the year's names one edit away from it (`ref_mots`, rebuilt
 * by each import): one statement, each variant one probe of the vocabulary's key, made only when a word
 * was not found (a word found as typed costs nothing more). A word with none is matched by similarity,
 * as before (two typos, a word of no name).
 */
export async function corrections(db: Db, annee: number, typed: string[]): Promise<Map<string, string[]>> {
  const pairs = typed.flatMap((w) => oneEditVariants(w, WORD_ALPHABET).map((v) => [v, w] as const));
  const rows = await selectRows<{ mot: string; tape: string }>(
    db,
    sql`select v.mot, v.tape from unnest(${arrayParam(pairs.map((p) => p[0]))}::text[], ${arrayParam(pairs.map((p) => p[1]))}::text[]) v(mot, tape)
        cross join lateral (select 1 from ref_mots r where r.annee = ${annee}::int and r.mot = v.mot limit 1) x
        order by v.tape, v.mot`,
  );
  const fixes = new Map<string, string[]>();
  for (const r of rows) {
    const list = fixes.get(r.tape) ?? [];
    if (list.length < MAX_CORRECTIONS) fixes.set(r.tape, [...list, r.mot]);
  }
  return fixes;
}
