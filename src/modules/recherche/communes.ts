/**
 * The communes of « Recherche établissement »: a name (exact, else the closest ones, typos allowed),
 * a code postal, or the centre of « Autour de la commune ».
 */
import { sql } from 'drizzle-orm';
import { selectRows, type Db, type Tx } from '../../infra/db/index.js';
import { placeNameScore } from '../../domain/recherche.js';
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

/**
 * Communes named exactly `key` (most populous first), else the closest names: trigram candidates
 * (similarity ≥ 0.15 for a short name, 0.3 for a longer one, set for this transaction only), ranked
 * again by `placeNameScore` (a transposition in a short name: « tuors » → Tours), kept from
 * PLACE_SIMILARITY_THRESHOLD.
 */
export async function findCommunes(
  db: Db,
  key: string,
  departement: string | null,
): Promise<{ exact: boolean; communes: (Commune & { similarity: number })[] }> {
  const dep = departement ? sql` and departement = ${departement}` : sql``;
  const exact = await selectRows<Commune>(
    db,
    sql`select ${communeColumns} from communes where nom_recherche = ${key}${dep} order by population desc nulls last, code limit 50`,
  );
  if (exact.length) return { exact: true, communes: exact.map((c) => ({ ...normCommune(c), similarity: 1 })) };
  const candidates = await db.transaction(async (tx) => {
    // short names need a low threshold (« tuors »: 0.2 with « tours »); longer ones keep more trigrams
    await tx.execute(
      sql`select set_config('pg_trgm.similarity_threshold', ${key.length <= 8 ? '0.15' : '0.3'}, true), set_config('enable_seqscan', 'off', true)`,
    );
    return selectRows<Commune & { nom_recherche: string }>(
      tx,
      sql`select ${communeColumns}, nom_recherche from communes
          where nom_recherche % ${key}${dep} order by similarity(nom_recherche, ${key}) desc, population desc nulls last, code limit 100`,
    );
  });
  const communes = candidates
    .map((c) => ({ ...normCommune(c), similarity: placeNameScore(key, c.nom_recherche) }))
    .filter((c) => c.similarity >= PLACE_SIMILARITY_THRESHOLD)
    .sort((a, b) => b.similarity - a.similarity || (b.population ?? 0) - (a.population ?? 0));
  return { exact: false, communes: communes.slice(0, 5) };
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
