/**
 * The documented mix of « Recherche établissement » queries for `bench/search.ts`: ~20 kinds of
 * real-looking requests, each with several concrete variants drawn (seeded PRNG) from the imported
 * data itself, so every query is one a person could type and most find something.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../src/infra/db/index.js';
import { createRng } from '../src/demo/registry.js';
import { departementNom, regionNom } from '../src/modules/recherche/criteria.js';

export interface QueryKind {
  /** short name in the tables */
  kind: string;
  /** what a person does */
  description: string;
  /** concrete query strings (without '?'), one per variant */
  variants: Record<string, string>[];
}

interface EtabSample {
  nom: string;
  siret: string;
  uai: string | null;
  code_postal: string | null;
  departement: string | null;
  region: string | null;
  commune: string | null;
}
interface DiplomeSample {
  intitule: string;
  rncp: string | null;
  niveau: number | null;
  type: string | null;
  cfd: string | null;
}

/** One typo: two adjacent letters swapped in the longest word (« raspail » → « rapsail »). */
export function typo(text: string, rng: ReturnType<typeof createRng>): string {
  const words = text.split(' ');
  let longest = 0;
  words.forEach((w, i) => {
    if (w.length > words[longest]!.length) longest = i;
  });
  const w = words[longest]!;
  if (w.length < 5) return text;
  const i = 1 + rng.int(w.length - 3);
  words[longest] = w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
  return words.join(' ');
}

const lowerNoAccent = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

/** Strings a hostile visitor sends (each in q, lieu, formation and autourDe). */
export const HOSTILE = [
  '%',
  '_%_',
  "'",
  '"; --',
  "' OR 1=1 --",
  "'; DROP TABLE ref_etablissements; --",
  'é'.repeat(5000),
  'a b c d e f g h i j k l m n o p'.repeat(20),
  '😀🎓🏫',
  '<script>alert(1)</script>',
  '\\',
  'lycee%',
];

export async function buildQueryMix(db: Db, annee: number, variants = 20, seed = 4242): Promise<QueryKind[]> {
  const rng = createRng(seed);
  const q = async <T>(s: ReturnType<typeof sql>) => ((await db.execute(s)) as unknown as { rows: T[] }).rows;
  const etabs = await q<EtabSample>(sql`
    select e.nom, e.siret, (select min(u.uai) from ref_etablissement_uais u where u.etablissement_id = e.id) as uai, e.code_postal, e.departement, e.region, e.commune
    from ref_etablissements e where e.annee = ${annee} and e.parent_id is null order by e.id`);
  const composantes = await q<EtabSample>(sql`
    select e.nom, e.siret, (select min(u.uai) from ref_etablissement_uais u where u.etablissement_id = e.id) as uai, e.code_postal, e.departement, e.region, e.commune
    from ref_etablissements e where e.annee = ${annee} and e.parent_id is not null order by e.id`);
  const diplomes = await q<DiplomeSample>(sql`
    select d.intitule, d.rncp, d.niveau, d.type, d.cfd from ref_diplomes d
    where exists (select 1 from ref_formations f where f.diplome_id = d.id and f.annee = ${annee}) order by d.id`);
  const villes = await q<{ nom: string; departement: string; code: string }>(sql`
    select nom, departement, code from communes where population >= 30000 order by population desc limit 150`);
  const pick = <T>(a: readonly T[]) => a[rng.int(a.length)]!;
  const many = <T>(n: number, f: () => T) => Array.from({ length: n }, f);
  const words = (s: string, n: number) =>
    lowerNoAccent(s)
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length >= 4)
      .slice(0, n)
      .join(' ');
  const withDip = (pred: (d: DiplomeSample) => boolean) => diplomes.filter(pred);
  const rncps = withDip((d) => Boolean(d.rncp));
  const typed = withDip((d) => Boolean(d.type));
  const leveled = withDip((d) => d.niveau !== null);
  const formatSiret = (s: string) => `${s.slice(0, 3)} ${s.slice(3, 6)} ${s.slice(6, 9)} ${s.slice(9)}`;

  const kinds: QueryKind[] = [
    { kind: 'nom exact', description: 'the full name as written on the list', variants: many(variants, () => ({ q: pick(etabs).nom })) },
    {
      kind: 'nom, faute de frappe',
      description: 'two words of the name, lower case without accents, one transposition',
      variants: many(variants, () => ({ q: typo(words(pick(etabs).nom, 3), rng) })),
    },
    {
      kind: 'nom partiel',
      description: 'two significant words of a name (« jean moulin »)',
      variants: many(variants, () => ({ q: words(pick(etabs).nom, 2) })),
    },
    {
      kind: 'mot courant',
      description: 'one very common word (« lycee », « college »…): thousands of hits, page 1',
      variants: ['lycee', 'ecole', 'institut', 'universite', 'lycée professionnel'].map((x) => ({ q: x })),
    },
    { kind: 'SIRET', description: 'a SIRET with spaces', variants: many(variants, () => ({ q: formatSiret(pick(etabs).siret) })) },
    {
      kind: 'SIREN',
      description: 'a SIREN: the establishment and its secondary SIRETs',
      variants: many(variants, () => ({ q: pick(etabs).siret.slice(0, 9) })),
    },
    {
      kind: 'UAI',
      description: 'a UAI in lower case (an establishment’s or a composante’s)',
      variants: many(variants, () => ({ q: (rng.chance(0.5) ? pick(etabs) : pick(composantes)).uai!.toLowerCase() })),
    },
    {
      kind: 'code postal',
      description: 'a code postal',
      variants: many(variants, () => ({ lieu: pick(etabs.filter((e) => e.code_postal)).code_postal! })),
    },
    { kind: 'département (code)', description: 'a département code', variants: many(variants, () => ({ lieu: pick(etabs).departement! })) },
    {
      kind: 'département (nom)',
      description: 'a département name without accents',
      variants: many(variants, () => ({ lieu: lowerNoAccent(departementNom(pick(etabs).departement) ?? 'Gironde') })),
    },
    {
      kind: 'région',
      description: 'a région name (hundreds of hits)',
      variants: many(variants, () => ({ lieu: regionNom(pick(etabs).region) ?? 'Bretagne' })),
    },
    { kind: 'ville', description: 'a town name', variants: many(variants, () => ({ lieu: pick(villes).nom })) },
    {
      kind: 'ville, faute de frappe',
      description: 'a town name with one transposition',
      variants: many(variants, () => ({ lieu: typo(lowerNoAccent(pick(villes).nom), rng) })),
    },
    {
      kind: '30 km autour',
      description: '30 km around a city',
      variants: many(variants, () => ({ autourDe: pick(villes).nom, rayonKm: '30' })),
    },
    {
      kind: '10 km autour + niveau',
      description: '10 km around a city, diplomas of one niveau',
      variants: many(variants, () => ({ autourDe: pick(villes).nom, rayonKm: '10', niveau: String(3 + rng.int(4)) })),
    },
    {
      kind: 'formation',
      description: 'two words of a real diploma title',
      variants: many(variants, () => ({ formation: words(pick(diplomes).intitule, 2) })),
    },
    {
      kind: 'formation + niveau',
      description: 'a diploma title word and its niveau',
      variants: many(variants, () => {
        const d = pick(leveled);
        return { formation: words(d.intitule, 1), niveau: String(d.niveau) };
      }),
    },
    { kind: 'RNCP', description: 'an RNCP code', variants: many(variants, () => ({ rncp: pick(rncps).rncp! })) },
    {
      kind: 'type + département',
      description: 'a diploma type (BTS, BAC PRO…) in a département',
      variants: many(variants, () => ({ type: pick(typed).type!, lieu: pick(etabs).departement! })),
    },
    {
      kind: 'niveau seul',
      description: 'one niveau, nationwide (thousands of hits)',
      variants: [3, 4, 5, 6, 7].map((n) => ({ niveau: String(n) })),
    },
    {
      kind: 'combinée',
      description: 'name word + département + formation word',
      variants: many(variants, () => {
        const e = pick(etabs);
        return { q: words(e.nom, 1), lieu: e.departement!, formation: words(pick(diplomes).intitule, 1) };
      }),
    },
    {
      kind: 'catégorie + liste',
      description: 'category and list filters',
      variants: [{ liste: 'nationale' }, { categorie: '3' }, { categorie: '7', liste: 'regionale' }, { categorie: '1', lieu: '75' }],
    },
    {
      kind: 'page 5',
      description: 'page 5 of a broad search',
      variants: [
        { q: 'lycee', page: '5' },
        { niveau: '5', page: '5' },
        { lieu: 'Occitanie', page: '5' },
      ],
    },
    {
      kind: 'hostile',
      description: 'hostile strings in each text field (must stay under 200 ms)',
      variants: HOSTILE.flatMap((s): Record<string, string>[] => [{ q: s }, { lieu: s }, { formation: s }, { autourDe: s }]),
    },
  ];
  return kinds.map((k) => ({ ...k, variants: k.variants.filter((v) => Object.values(v).every((x) => x !== undefined && x !== '')) }));
}
