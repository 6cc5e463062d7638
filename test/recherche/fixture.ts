/**
 * A small referential for the search tests, written straight into the tables: real communes (with
 * their centres) around Tours, Paris, Lyon, Poitiers and Ajaccio; establishments, composantes, UAIs,
 * diplomas and formations for the 2026 campaign, and a few rows of 2025.
 */
import { rebuildVocabulaire } from '../../src/modules/referentiel/vocabulaire.js';
import type { Db } from '../../src/infra/db/index.js';
import { makeValidSiren, makeValidSiret, makeValidUai } from '../../src/domain/identifiers.js';
import { searchKey } from '../../src/domain/text.js';
import {
  communes,
  etablissementProfils,
  refDiplomes,
  refEtablissements,
  refEtablissementUais,
  refFormations,
} from '../../src/infra/db/schema.js';

export const ANNEE = 2026;
const NOW = new Date('2026-05-04T08:00:00Z');

export const COMMUNES = [
  {
    code: '37261',
    nom: 'Tours',
    codesPostaux: '37000|37100|37200',
    departement: '37',
    region: '24',
    lat: 47.3952,
    lng: 0.6947,
    population: 139259,
  },
  {
    code: '37122',
    nom: 'Joué-lès-Tours',
    codesPostaux: '37300',
    departement: '37',
    region: '24',
    lat: 47.3406,
    lng: 0.6653,
    population: 38250,
  },
  {
    code: '37214',
    nom: 'Saint-Cyr-sur-Loire',
    codesPostaux: '37540',
    departement: '37',
    region: '24',
    lat: 47.4003,
    lng: 0.6652,
    population: 16464,
  },
  { code: '37003', nom: 'Amboise', codesPostaux: '37400', departement: '37', region: '24', lat: 47.3924, lng: 0.9829, population: 12700 },
  { code: '41018', nom: 'Blois', codesPostaux: '41000', departement: '41', region: '24', lat: 47.5817, lng: 1.3063, population: 46086 },
  {
    code: '45234',
    nom: 'Orléans',
    codesPostaux: '45000|45100',
    departement: '45',
    region: '24',
    lat: 47.9029,
    lng: 1.9039,
    population: 116238,
  },
  {
    code: '75056',
    nom: 'Paris',
    codesPostaux: '75001|75014|75015',
    departement: '75',
    region: '11',
    lat: 48.8566,
    lng: 2.3522,
    population: 2103778,
  },
  {
    code: '69123',
    nom: 'Lyon',
    codesPostaux: '69001|69003',
    departement: '69',
    region: '84',
    lat: 45.7578,
    lng: 4.832,
    population: 522250,
  },
  { code: '86194', nom: 'Poitiers', codesPostaux: '86000', departement: '86', region: '75', lat: 46.5802, lng: 0.3404, population: 89472 },
  { code: '38544', nom: 'Vienne', codesPostaux: '38200', departement: '38', region: '84', lat: 45.5235, lng: 4.8744, population: 30092 },
  {
    code: '2A004',
    nom: 'Ajaccio',
    codesPostaux: '20000|20090',
    departement: '2A',
    region: '94',
    lat: 41.9192,
    lng: 8.7386,
    population: 72647,
  },
] as const;
type CommuneCode = (typeof COMMUNES)[number]['code'];
const communeOf = (code: CommuneCode) => COMMUNES.find((c) => c.code === code)!;

export const DIPLOMES = {
  mco: { cle: 'CFD:32031213', intitule: 'Management commercial opérationnel', cfd: '32031213', rncp: 'RNCP38362', niveau: 5, type: 'BTS' },
  sio: {
    cle: 'CFD:32032615',
    intitule: 'Services informatiques aux organisations',
    cfd: '32032615',
    rncp: 'RNCP35340',
    niveau: 5,
    type: 'BTS',
  },
  vente: {
    cle: 'CFD:40031213',
    intitule: 'Métiers du commerce et de la vente',
    cfd: '40031213',
    rncp: 'RNCP32208',
    niveau: 4,
    type: 'BAC PRO',
  },
  cuisine: { cle: 'CFD:50022135', intitule: 'Cuisine', cfd: '50022135', rncp: 'RNCP37859', niveau: 3, type: 'CAP' },
  butInfo: { cle: 'RNCP:35475', intitule: 'Informatique', cfd: null, rncp: 'RNCP35475', niveau: 6, type: 'BUT' },
  masterDroit: { cle: 'RNCP:34000', intitule: 'Droit des affaires', cfd: null, rncp: 'RNCP34000', niveau: 7, type: 'MASTER' },
} as const;
type DiplomeKey = keyof typeof DIPLOMES;

let nic = 1000;
const siretOf = (siren: string) => makeValidSiret(siren, String(nic++).padStart(4, '0'));
let uaiSeq = 1000;
const uaiIn = (dep: string) => makeValidUai(`${dep.replace('2A', '620').padStart(3, '0').slice(0, 3)}${String(uaiSeq++).padStart(4, '0')}`);

interface EtabDef {
  key: string;
  nom: string;
  siren?: string;
  siret?: string;
  commune: CommuneCode;
  adresse?: string;
  codePostal?: string;
  categorie?: string;
  liste?: 'regionale' | 'nationale';
  uais?: string[];
  formations?: DiplomeKey[];
  composantes?: Omit<EtabDef, 'composantes'>[];
  annee?: number;
  noGeo?: boolean;
  /** at the commune's centre exactly (the others are 0.3 km off) */
  centre?: boolean;
}

/** Fixed identifiers the tests name. */
export const RASPAIL = { siret: '19750691800048', uai: '0750691U', nom: 'LYCEE DES METIERS RASPAIL' };
export const UNIV_SIREN = makeValidSiren('19370800');
export const UNIV = { siret: makeValidSiret(UNIV_SIREN, '0001'), nom: 'UNIVERSITE DE TOURS' };
export const IUT_BLOIS = { siret: makeValidSiret(UNIV_SIREN, '0019'), uai: makeValidUai('0411234'), nom: 'IUT DE BLOIS' };
export const GRANDMONT = {
  siret: makeValidSiret(makeValidSiren('19370037'), '0001'),
  uai: makeValidUai('0370037'),
  nom: 'LYCEE GRANDMONT',
};

export const DEFS: EtabDef[] = [
  {
    key: 'raspail',
    nom: RASPAIL.nom,
    siret: RASPAIL.siret,
    commune: '75056',
    codePostal: '75014',
    adresse: '5 BIS AVENUE MAURICE D OCAGNE',
    uais: [RASPAIL.uai],
    formations: ['vente', 'mco', 'sio'],
  },
  {
    key: 'grandmont',
    nom: GRANDMONT.nom,
    siret: GRANDMONT.siret,
    commune: '37261',
    codePostal: '37200',
    adresse: 'AVENUE DE SEVIGNE',
    uais: [GRANDMONT.uai],
    formations: ['mco', 'sio', 'vente'],
  },
  { key: 'choiseul', nom: 'LYCEE CHOISEUL', commune: '37261', codePostal: '37100', formations: ['vente'] },
  // a name one typo away from Grandmont, nearer the centre of Tours: relevance comes before distance
  { key: 'granmont', nom: 'LYCEE GRANMONT', commune: '37261', codePostal: '37100', centre: true, formations: ['cuisine'] },
  { key: 'arsonval', nom: "LYCEE PROFESSIONNEL D'ARSONVAL", commune: '37122', formations: ['cuisine', 'vente'] },
  { key: 'stcyr', nom: 'LYCEE DU MONT SAINT-CYR', commune: '37214', formations: ['cuisine'] },
  { key: 'amboise', nom: 'LYCEE LEONARD DE VINCI', commune: '37003', formations: ['mco'] },
  { key: 'blois', nom: 'LYCEE AUGUSTIN THIERRY', commune: '41018', formations: ['sio'] },
  {
    key: 'univ',
    nom: UNIV.nom,
    siret: UNIV.siret,
    commune: '37261',
    codePostal: '37000',
    categorie: '3°',
    uais: [makeValidUai('0370800')],
    formations: ['masterDroit'],
    composantes: [
      {
        key: 'iut-tours',
        nom: 'IUT DE TOURS',
        siret: makeValidSiret(UNIV_SIREN, '0027'),
        commune: '37261',
        codePostal: '37200',
        categorie: '3°',
        uais: [makeValidUai('0371234')],
        formations: ['butInfo'],
      },
      {
        key: 'iut-blois',
        nom: IUT_BLOIS.nom,
        siret: IUT_BLOIS.siret,
        commune: '41018',
        codePostal: '41000',
        categorie: '3°',
        uais: [IUT_BLOIS.uai],
        formations: ['butInfo', 'sio'],
      },
    ],
  },
  { key: 'e2c', nom: 'ECOLE DE LA DEUXIEME CHANCE DU LOIRET', commune: '45234', categorie: '7°' },
  { key: 'national', nom: 'ASSOCIATION NATIONALE POUR LA PROMOTION DES METIERS', commune: '75056', categorie: '13°', liste: 'nationale' },
  { key: 'monnet-lyon', nom: 'LYCEE JEAN MONNET', commune: '69123', formations: ['mco'] },
  { key: 'monnet-college', nom: 'LYCEE JEAN MONNET ANNEXE HOTELIERE', commune: '69123', formations: ['cuisine'] },
  { key: 'zola', nom: 'LYCÉE ÉMILE ZOLA', commune: '86194', formations: ['vente'] },
  { key: 'vienne-isere', nom: 'LYCEE PONSARD', commune: '38544', formations: ['vente'] },
  { key: 'ajaccio', nom: 'LYCEE LAETITIA BONAPARTE', commune: '2A004', formations: ['mco'] },
  { key: 'sans-geo', nom: 'LYCEE SANS COORDONNEES', commune: '37261', noGeo: true, formations: ['vente'] },
  // 25 lycées in Orléans: more than one page
  ...Array.from({ length: 25 }, (_, i): EtabDef => ({
    key: `orl-${i}`,
    nom: `LYCEE ORLEANAIS NUMERO ${String(i + 1).padStart(2, '0')}`,
    commune: '45234',
    formations: i % 2 ? ['vente'] : ['cuisine'],
  })),
  // 2025 only, and Grandmont in 2025 with other formations
  { key: 'ferme', nom: 'LYCEE FERME EN 2026', commune: '37261', annee: 2025, formations: ['cuisine'] },
  {
    key: 'grandmont-2025',
    nom: GRANDMONT.nom,
    siret: GRANDMONT.siret,
    commune: '37261',
    annee: 2025,
    uais: [GRANDMONT.uai],
    formations: ['cuisine'],
  },
];

export interface Inserted {
  /** ref_etablissements.id by def key */
  ids: Map<string, number>;
  sirets: Map<string, string>;
}

/** Inserts the communes (if missing), diplomas, establishments, composantes and formations. */
export async function insertFixture(db: Db): Promise<Inserted> {
  await db
    .insert(communes)
    .values(COMMUNES.map((c) => ({ ...c, nomRecherche: searchKey(c.nom) })))
    .onConflictDoNothing();
  const dipl = await db
    .insert(refDiplomes)
    .values(Object.values(DIPLOMES).map((d) => ({ ...d, intituleRecherche: searchKey(d.intitule) })))
    .returning({ id: refDiplomes.id, cle: refDiplomes.cle });
  const diplomeId = new Map(dipl.map((d) => [d.cle, d.id]));
  const ids = new Map<string, number>();
  const sirets = new Map<string, string>();

  let sirenSeq = 10000;
  const insertOne = async (d: Omit<EtabDef, 'composantes'>, parentId: number | null, parentCle: string | null) => {
    const c = communeOf(d.commune);
    const annee = d.annee ?? ANNEE;
    const siret = d.siret ?? siretOf(d.siren ?? makeValidSiren(`199${String(sirenSeq++).padStart(5, '0')}`));
    const [row] = await db
      .insert(refEtablissements)
      .values({
        annee,
        cle: parentCle ? `${parentCle}/${siret}` : siret,
        siret,
        parentId,
        nom: d.nom,
        nomRecherche: searchKey(d.nom),
        adresse: d.adresse ?? '1 RUE DE L ECOLE',
        codePostal: d.codePostal ?? c.codesPostaux.split('|')[0]!,
        codeCommune: c.code,
        commune: c.nom.toUpperCase(),
        departement: c.departement,
        region: c.region,
        lat: d.noGeo ? null : c.lat + (d.centre ? 0 : 0.002),
        lng: d.noGeo ? null : c.lng + (d.centre ? 0 : 0.002),
        categorie: d.categorie ?? '1°',
        liste: d.liste ?? 'regionale',
        updatedAt: NOW,
      })
      .returning({ id: refEtablissements.id });
    const id = row!.id;
    ids.set(d.key, id);
    sirets.set(d.key, siret);
    const uais = d.uais ?? [uaiIn(c.departement)];
    await db.insert(refEtablissementUais).values(uais.map((uai) => ({ etablissementId: id, uai })));
    if (d.formations?.length)
      await db
        .insert(refFormations)
        .values(d.formations.map((f) => ({ annee, etablissementId: id, diplomeId: diplomeId.get(DIPLOMES[f].cle)!, updatedAt: NOW })));
    return { id, siret };
  };

  for (const d of DEFS) {
    const parent = await insertOne(d, null, null);
    for (const c of d.composantes ?? []) await insertOne({ ...c, annee: d.annee }, parent.id, parent.siret);
  }
  // what the import does after writing a year's establishments: the vocabulary of their names
  for (const annee of new Set(DEFS.map((d) => d.annee ?? ANNEE))) await rebuildVocabulaire(db, annee);
  await db.insert(etablissementProfils).values({
    siret: GRANDMONT.siret,
    presentation: 'Lycée général, technologique et professionnel au nord de Tours.\n\nInternat de 200 places.',
    contacts: [{ fonction: 'Proviseur', nom: 'Marie Curie', courriel: 'proviseur@grandmont.example', telephone: '02 47 00 00 00' }],
    sites: [
      { libelle: 'Site du lycée', url: 'https://grandmont.example' },
      { libelle: 'Lien piégé', url: 'javascript:alert(1)' },
    ],
    updatedAt: NOW,
  });
  return { ids, sirets };
}
