/** What a search result, a fiche and a composante say alike of a habilitated establishment. */
import { libelleCategorie, LISTES } from '../../domain/referentiel.js';
import type { RefEtablissementColumns } from '../referentiel/read.js';
import { departementNom, regionNom } from './criteria.js';

/** Its identity and address. */
export interface EtablissementAdresse {
  siret: string;
  nom: string;
  uais: string[];
  adresse: string;
  codePostal: string | null;
  commune: string | null;
}

/** Its identity, address and territory. */
export interface EtablissementLieu extends EtablissementAdresse {
  departement: string | null;
  departementNom: string | null;
  region: string | null;
  regionNom: string | null;
}

/** Its category and list (L. 6241-5), with their labels. */
export interface EtablissementClassement {
  categorie: string;
  categorieLibelle: string;
  liste: string;
  listeLibelle: string;
}

export type EtablissementClasse = EtablissementLieu & EtablissementClassement;

/** The UAIs of a row (space-separated in SQL). */
export const uaisOf = (s: string | null) => (s ? s.split(' ') : []);

export const listeLibelle = (code: string) => LISTES.find((l) => l.code === code)?.libelle ?? code;

type Row = RefEtablissementColumns & { uais: string | null };

export function lieuOf(e: Row): EtablissementLieu {
  return {
    siret: e.siret,
    nom: e.nom,
    uais: uaisOf(e.uais),
    adresse: e.adresse,
    codePostal: e.code_postal,
    commune: e.commune,
    departement: e.departement,
    departementNom: departementNom(e.departement),
    region: e.region,
    regionNom: regionNom(e.region),
  };
}

export function classementOf(e: Row): EtablissementClassement {
  return {
    categorie: e.categorie,
    categorieLibelle: libelleCategorie(e.categorie),
    liste: e.liste,
    listeLibelle: listeLibelle(e.liste),
  };
}
