/**
 * The columns of the two kinds of referential file (docs/referentiel-format.md): their canonical
 * names, the aliases a header may use (compared without case, accents or punctuation) and the longest
 * value each accepts.
 */
import { searchKey } from '../../domain/text.js';

export const ETABLISSEMENT_COLUMNS = [
  'type',
  'siret',
  'siret_parent',
  'uai',
  'nom',
  'adresse',
  'code_postal',
  'code_commune',
  'commune',
  'departement',
  'region',
  'latitude',
  'longitude',
  'categorie',
  'liste',
] as const;

export const FORMATION_COLUMNS = [
  'siret',
  'uai',
  'intitule',
  'cfd',
  'rncp',
  'niveau',
  'type',
  'code_commune',
  'code_postal',
  'commune',
] as const;

export type Column = (typeof ETABLISSEMENT_COLUMNS)[number] | (typeof FORMATION_COLUMNS)[number];

/** Header names and aliases (after {@link headerKey}) → canonical column. */
export const ALIASES: Record<string, Column> = {
  ...Object.fromEntries([...ETABLISSEMENT_COLUMNS, ...FORMATION_COLUMNS].map((c) => [c, c])),
  type_ligne: 'type',
  siret_etablissement: 'siret',
  numero_siret: 'siret',
  n_siret: 'siret',
  siret_parent: 'siret_parent',
  siret_principal: 'siret_parent',
  siret_etablissement_principal: 'siret_parent',
  siret_rattachement: 'siret_parent',
  parent: 'siret_parent',
  uai: 'uai',
  uais: 'uai',
  code_uai: 'uai',
  numero_uai: 'uai',
  n_uai: 'uai',
  nom: 'nom',
  raison_sociale: 'nom',
  denomination: 'nom',
  nom_etablissement: 'nom',
  libelle_etablissement: 'nom',
  adresse: 'adresse',
  adresse_postale: 'adresse',
  code_postal: 'code_postal',
  cp: 'code_postal',
  code_commune: 'code_commune',
  code_insee: 'code_commune',
  insee: 'code_commune',
  code_commune_insee: 'code_commune',
  commune: 'commune',
  ville: 'commune',
  localite: 'commune',
  libelle_commune: 'commune',
  departement: 'departement',
  code_departement: 'departement',
  region: 'region',
  code_region: 'region',
  latitude: 'latitude',
  lat: 'latitude',
  longitude: 'longitude',
  lng: 'longitude',
  lon: 'longitude',
  categorie: 'categorie',
  categorie_l6241_5: 'categorie',
  categorie_l_6241_5: 'categorie',
  liste: 'liste',
  type_liste: 'liste',
  intitule: 'intitule',
  intitule_formation: 'intitule',
  libelle_formation: 'intitule',
  formation: 'intitule',
  cfd: 'cfd',
  code_diplome: 'cfd',
  code_formation_diplome: 'cfd',
  rncp: 'rncp',
  code_rncp: 'rncp',
  niveau: 'niveau',
  niveau_rncp: 'niveau',
  niveau_qualification: 'niveau',
  type_diplome: 'type',
  diplome: 'type',
};

/** « Code postal » → « code_postal », « Catégorie (L. 6241-5) » → « categorie_l_6241_5 ». */
export function headerKey(name: string): string {
  return searchKey(name).replace(/ /g, '_');
}

/** Longest accepted value per column (characters). */
export const MAX_LENGTH: Partial<Record<Column, number>> & { default: number } = {
  nom: 250,
  adresse: 300,
  intitule: 300,
  commune: 100,
  uai: 200,
  type: 40,
  default: 60,
};
