/**
 * The vocabulary of a year's establishment names (`ref_mots`): every word of 3 letters or more of their
 * search keys. Rebuilt by each import of the year, in its transaction, after the establishments are
 * written; the search corrects a word typed with one typo against it (modules/recherche/search.ts).
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../infra/db/index.js';

/** Shortest word kept: shorter ones are never corrected (recherche `fuzzyWorthy`). */
export const MOT_MIN_LENGTH = 3;

export async function rebuildVocabulaire(tx: Tx, annee: number): Promise<void> {
  await tx.execute(sql`delete from ref_mots where annee = ${annee}::int`);
  await tx.execute(
    sql`insert into ref_mots (annee, mot)
        select distinct ${annee}::int, m from ref_etablissements e, unnest(string_to_array(e.nom_recherche, ' ')) m
        where e.annee = ${annee}::int and length(m) >= ${MOT_MIN_LENGTH}::int`,
  );
}
