/**
 * The communes of « Recherche établissement »: a name (exact, else the closest ones, typos allowed),
 * a code postal, or the centre of « Autour de la commune ».
 */
import { sql, type SQL } from 'drizzle-orm';
import { selectRows, type Db, type Tx } from '../../infra/db/index.js';
import { arrayParam } from '../../infra/db/sql.js';
import { oneEditVariants, placeNameScore } from '../../domain/recherche.js';
import { searchKey } from '../../domain/text.js';
import { parsePlace } from './criteria.js';
import { escapeLike, PLACE_SIMILARITY_THRESHOLD } from './search-sql.js';

export interface Commune {
  code: string;
  nom: string;
  departement: string;
  lat: number | null;
  lng: number | null;
  population: number | null;
}

/** Paris, Lyon and Marseille: a search on the city includes its arrondissements' codes. */
const ARRONDISSEMENTS: Record<string, string[]> = {
  '75056': Array.from({ length: 20 }, (_, i) => String(75101 + i)),
  '69123': Array.from({ length: 9 }, (_, i) => String(69381 + i)),
  '13055': Array.from({ length: 16 }, (_, i) => String(13201 + i)),
};
export function withArrondissements(codes: readonly string[]): string[] {
  return [...new Set(codes.flatMap((c) => [c, ...(ARRONDISSEMENTS[c] ?? [])]))];
}

const communeColumns = sql`code, nom, departement, lat, lng, population`;

/** Longest key whose one-edit variants are looked up (about 2,200 of them at 40 letters). */
const MAX_VARIANT_KEY = 40;

/**
 * Communes named exactly `key` (most populous first), else the closest names, ranked by
 * `placeNameScore` (a transposition in a short name: « tuors » → Tours) and kept from
 * PLACE_SIMILARITY_THRESHOLD, most populous first among equals. Candidates of a name that is not exact,
 * cheapest first:
 * 1. the key's one-edit variants (domain `oneEditVariants`), each an exact look-up on the name index,
 *    in one statement: a name with one typo, the usual case. By its edits a name one edit away scores
 *    1 − 1/length, a name two edits away at most 1 − 2/length: the closest is among the variants;
 * 2. only when none of them is close enough: the trigram candidates (similarity ≥ 0.15 for a short
 *    name, 0.3 for a longer one, set for this transaction only), for two typos or more — slower, as
 *    thousands of names share a trigram with a short key.
 */
export async function findCommunes(
  db: Db,
  key: string,
  departement: string | null,
): Promise<{ exact: boolean; communes: (Commune & { similarity: number })[] }> {
  const dep = departement ? sql` and c.departement = ${departement}` : sql``;
  const named = (name: SQL) =>
    sql`select ${communeColumns}, nom_recherche from communes c where c.nom_recherche = ${name}${dep} order by population desc nulls last, code limit 50`;
  const exact = await selectRows<Commune>(db, named(sql`${key}`));
  if (exact.length) return { exact: true, communes: exact.map((c) => ({ ...normCommune(c), similarity: 1 })) };
  if (key.length <= MAX_VARIANT_KEY) {
    // LATERAL … LIMIT: each variant one probe of the name index (a join would scan the table)
    const variants = await selectRows<Commune & { nom_recherche: string }>(
      db,
      sql`select c.* from unnest(${arrayParam(oneEditVariants(key))}::text[]) v(nom) cross join lateral (${named(sql`v.nom`)}) c`,
    );
    const close = closest(key, variants);
    if (close.length) return { exact: false, communes: close };
  }
  const candidates = await db.transaction(async (tx) => {
    // short names need a low threshold (« tuors »: 0.2 with « tours »); longer ones keep more trigrams
    await tx.execute(
      sql`select set_config('pg_trgm.similarity_threshold', ${key.length <= 8 ? '0.15' : '0.3'}, true), set_config('enable_seqscan', 'off', true)`,
    );
    return selectRows<Commune & { nom_recherche: string }>(
      tx,
      sql`select ${communeColumns}, nom_recherche from communes c
          where nom_recherche % ${key}${dep} order by similarity(nom_recherche, ${key}) desc, population desc nulls last, code limit 100`,
    );
  });
  return { exact: false, communes: closest(key, candidates) };
}

/** The five candidates closest to `key` (placeNameScore ≥ PLACE_SIMILARITY_THRESHOLD), most populous first among equals. */
function closest(key: string, candidates: (Commune & { nom_recherche: string })[]): (Commune & { similarity: number })[] {
  return candidates
    .map((c) => ({ ...normCommune(c), similarity: placeNameScore(key, c.nom_recherche) }))
    .filter((c) => c.similarity >= PLACE_SIMILARITY_THRESHOLD)
    .sort((a, b) => b.similarity - a.similarity || byPopulation(a, b))
    .slice(0, 5);
}

/** Most populous first (unknown last), then by code. */
function byPopulation(a: { population: unknown; code: string }, b: { population: unknown; code: string }): number {
  const pa = a.population === null ? -1 : Number(a.population);
  const pb = b.population === null ? -1 : Number(b.population);
  return pb - pa || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

/** The most populous commune with this code postal. */
export async function communeOfCodePostal(db: Tx, codePostal: string): Promise<Commune | null> {
  const [c] = await selectRows<Commune>(
    db,
    sql`select ${communeColumns} from communes where ('|' || codes_postaux || '|') like ${`%|${escapeLike(codePostal)}|%`} order by population desc nulls last, code limit 1`,
  );
  return c ? normCommune(c) : null;
}

function normCommune(c: Commune): Commune {
  return {
    code: c.code,
    nom: c.nom,
    departement: c.departement,
    lat: c.lat === null ? null : Number(c.lat),
    lng: c.lng === null ? null : Number(c.lng),
    population: c.population === null ? null : Number(c.population),
  };
}

export const communeLabel = (c: Commune) => `${c.nom} (${c.departement})`;

/** « Tours », « tours 37 », « Tours (37) », « 37000 », or a typo: one commune, the most populous. */
export async function resolveCentre(db: Db, input: string): Promise<Commune | null> {
  const p = parsePlace(input);
  if (p.kind === 'codePostal') return communeOfCodePostal(db, p.codePostal);
  const key = p.kind === 'nom' ? p.key : searchKey(input);
  if (!key) return null;
  const found = await findCommunes(db, key, p.kind === 'nom' ? p.departement : null);
  return found.communes[0] ?? null;
}
