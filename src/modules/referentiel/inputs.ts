/**
 * What a referential file yields (docs/referentiel-format.md): valid establishment and formation rows,
 * each with its file and line, and the French report of what was rejected or warned.
 */
import type { CategorieCode, ListeCode } from '../../domain/referentiel.js';

export type RefFileKind = 'etablissements' | 'formations';

export interface RefIssue {
  /** file name (no directory) */
  file: string;
  /** physical line number in the file (1 = header); 0 for the file as a whole */
  line: number;
  reason: string;
}

export interface UaiValue {
  uai: string;
  checksumWarning: boolean;
}

export interface EtablissementInput {
  file: string;
  line: number;
  type: 'etablissement' | 'composante';
  /** the row's own SIRET (a composante without one gets its parent's) */
  siret: string;
  /** composantes only */
  siretParent: string | null;
  uais: UaiValue[];
  nom: string;
  adresse: string;
  codePostal: string | null;
  codeCommune: string;
  commune: string;
  departement: string;
  region: string;
  lat: number | null;
  lng: number | null;
  /** null only for a composante that inherits its parent's */
  categorie: CategorieCode | null;
  liste: ListeCode | null;
  /** the SIRET or one of the UAIs failed its check digit */
  checksumWarning: boolean;
}

export interface FormationInput {
  file: string;
  line: number;
  siret: string | null;
  uai: string | null;
  intitule: string;
  cfd: string | null;
  rncp: string | null;
  niveau: number | null;
  type: string | null;
  /** where it is taught, when the file says so */
  lieu: { codeCommune: string; commune: string } | null;
}
