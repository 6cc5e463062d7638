/**
 * Names and addresses of the generated referential: made-up establishments named after their
 * category of L. 6241-5 (lycées, universities, CFA, instituts…), their composantes, and streets.
 */
import type { Commune } from '../modules/referentiel/commune-index.js';
import { COMMON_VOIE_NAMES } from './registry-words.js';
import type { Rng } from './rng.js';

export const PEOPLE = [
  'JEAN MOULIN',
  'VICTOR HUGO',
  'JULES FERRY',
  'MARIE CURIE',
  'LOUIS PASTEUR',
  'JEAN JAURES',
  'ALBERT CAMUS',
  'SIMONE VEIL',
  'GEORGE SAND',
  'EMILE ZOLA',
  'JULES VERNE',
  'PAUL ELUARD',
  'ARAGO',
  'GUSTAVE EIFFEL',
  'LEONARD DE VINCI',
  'ANTOINE DE SAINT-EXUPERY',
  'CHARLES DE GAULLE',
  'JEAN MERMOZ',
  'RENE CASSIN',
  'PIERRE MENDES FRANCE',
  'LOUISE MICHEL',
  'OLYMPE DE GOUGES',
  'JOLIOT-CURIE',
  'AUGUSTE RENOIR',
  'CLAUDE MONET',
  'PAUL CEZANNE',
  'HECTOR BERLIOZ',
  'MAURICE RAVEL',
  'BLAISE PASCAL',
  'RENE DESCARTES',
  'DIDEROT',
  'VOLTAIRE',
  'MONTESQUIEU',
  'JEAN ROSTAND',
  'MARCEL PAGNOL',
  'JEAN GIONO',
  'COLETTE',
  'LAMARTINE',
  'CONDORCET',
  'GAY-LUSSAC',
  'AMPERE',
  'FRANCOIS ARAGO',
  'NIEPCE',
  'LOUIS ARMAND',
  'ANDRE MALRAUX',
  'JACQUES PREVERT',
  'ROBERT SCHUMAN',
  'JEAN MONNET',
  'GASTON BACHELARD',
  'HENRI MATISSE',
  'CAMILLE CLAUDEL',
  'GERMAINE TILLION',
  'LUCIE AUBRAC',
  'JOSEPHINE BAKER',
  'AIME CESAIRE',
  'TOUSSAINT LOUVERTURE',
  'FREDERIC MISTRAL',
  'JEAN-BAPTISTE COROT',
  'NICOLAS APPERT',
  'EUGENE FREYSSINET',
  'HELENE BOUCHER',
] as const;
export const SAINTS = [
  'SAINT-JOSEPH',
  'NOTRE-DAME',
  'SAINTE-MARIE',
  'SAINT-LOUIS',
  'SAINT-MICHEL',
  "JEANNE D'ARC",
  'LA SALLE',
  'SAINT-VINCENT',
  'SAINTE-ANNE',
  'SAINT-FRANCOIS',
  'IMMACULEE CONCEPTION',
  'SAINT-JEAN-BAPTISTE',
] as const;
export const FIELDS = [
  'SCIENCES ET TECHNIQUES',
  'COMMERCE ET GESTION',
  'ARTS ET METIERS',
  'INGENIEURS',
  'AGRONOMIE',
  'ARCHITECTURE',
  'CHIMIE',
  'INFORMATIQUE',
  'DESIGN',
  'TRAVAUX PUBLICS',
] as const;
export const NATIONAL_THEMES = [
  'DES METIERS DU BATIMENT',
  "DE L'INDUSTRIE",
  'DES TRANSPORTS ET DE LA LOGISTIQUE',
  "DE L'ARTISANAT",
  "DE L'AGRICULTURE",
  'DU COMMERCE',
  "DE L'HOTELLERIE ET DE LA RESTAURATION",
  'DE LA SANTE ET DU SOCIAL',
  'DU NUMERIQUE',
  'DE LA MECANIQUE',
  "DES METIERS D'ART",
  "DE L'AUTOMOBILE",
  'DE LA PROPRETE',
  "DU SPORT ET DE L'ANIMATION",
  "DE L'ENERGIE",
  'DES TRAVAUX PUBLICS',
  "DE LA BANQUE ET DE L'ASSURANCE",
] as const;
export const NATIONAL_FORMS = [
  (t: string) => `ASSOCIATION NATIONALE POUR LA FORMATION ${t}`,
  (t: string) => `FEDERATION NATIONALE ${t}`,
  (t: string) => `COMITE NATIONAL DE PROMOTION ${t}`,
  (t: string) => `FONDATION POUR LES METIERS ${t.replace(/^DES METIERS /, '').replace(/^(DE L'|DE LA |DU |DES )/, 'DE ')}`,
  (t: string) => `UNION NATIONALE ${t}`,
  (t: string) => `OBSERVATOIRE NATIONAL DES METIERS ${t.replace(/^(DE L'|DE LA |DU |DES )/, '')}`,
] as const;
export const VOIES = ['RUE', 'AVENUE', 'BOULEVARD', 'PLACE', 'ALLEE', 'CHEMIN', 'ROUTE', 'QUAI'] as const;
export const VOIE_NAMES = [
  ...COMMON_VOIE_NAMES,
  'DU LYCEE',
  'JULES FERRY',
  'DE LA LIBERATION',
  'DU 8 MAI 1945',
  'DU 11 NOVEMBRE',
  'DE LA MAIRIE',
  'DES TILLEULS',
  'DU MOULIN',
  'GAMBETTA',
  'CARNOT',
  'EMILE ZOLA',
  'ANATOLE FRANCE',
  'DU STADE',
  'DES PRES',
  'DE LA FONTAINE',
  'DU CHATEAU',
  "DE L'UNIVERSITE",
  'DES SCIENCES',
] as const;
export const COMPOSANTE_KINDS = {
  '3°': ['IUT', 'UFR DE SCIENCES', 'UFR DE LETTRES', 'UFR DE DROIT ET ECONOMIE', "ECOLE D'INGENIEURS", 'INSPE', 'ANTENNE'],
  '4°': ['CAMPUS', 'CENTRE DE FORMATION', 'ECOLE DE COMMERCE', 'ANTENNE'],
  '5°': ['CAMPUS', 'ANTENNE', 'SITE'],
  '6°': ['ANTENNE', 'SITE'],
  '13°': ['DELEGATION REGIONALE', 'CENTRE', 'ANTENNE'],
  default: ['SITE', 'ANNEXE', 'ANTENNE'],
} as const;

export function upper(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/’/g, "'")
    .toUpperCase();
}

export function de(name: string): string {
  if (name.startsWith('LE ')) return `DU ${name.slice(3)}`;
  if (name.startsWith('LES ')) return `DES ${name.slice(4)}`;
  if (/^[AEIOUYH]/.test(name)) return `D'${name}`;
  return `DE ${name}`;
}

export function nameFor(rng: Rng, categorie: string, c: Commune): string {
  const town = upper(c.nom);
  const person = rng.pick(PEOPLE);
  switch (categorie) {
    case '1°':
      return `${rng.pick(['LYCEE PROFESSIONNEL', 'LYCEE GENERAL ET TECHNOLOGIQUE', 'LYCEE POLYVALENT', 'LYCEE DES METIERS', 'LYCEE TECHNOLOGIQUE', 'LYCEE AGRICOLE'] as const)} ${person}`;
    case '2°':
      return rng.chance(0.2)
        ? `MAISON FAMILIALE RURALE ${de(town)}`
        : `${rng.pick(['LYCEE PRIVE', 'INSTITUTION', 'LYCEE PROFESSIONNEL PRIVE', 'ENSEMBLE SCOLAIRE'] as const)} ${rng.pick(SAINTS)}`;
    case '3°':
      return rng.chance(0.5)
        ? `UNIVERSITE ${de(town)}`
        : `${rng.pick(['ECOLE NATIONALE SUPERIEURE', 'INSTITUT NATIONAL', 'ECOLE SUPERIEURE'] as const)} ${rng.pick(FIELDS)} ${de(town)}`;
    case '4°':
      return rng.chance(0.5) ? `CCI ${town} - CENTRE DE FORMATION` : `CAMPUS DES METIERS ET DE L'ARTISANAT ${de(town)}`;
    case '5°':
      return `${rng.pick(['ECOLE SUPERIEURE', 'INSTITUT SUPERIEUR', 'ECOLE PRIVEE'] as const)} ${rng.pick(FIELDS)} ${de(town)}`;
    case '6°':
      return rng.pick([
        `INSTITUT DE FORMATION EN SOINS INFIRMIERS ${de(town)}`,
        `INSTITUT REGIONAL DU TRAVAIL SOCIAL ${de(town)}`,
        `INSTITUT DE FORMATION AIDES-SOIGNANTS ${de(town)}`,
        `CENTRE DE FORMATION AUX METIERS DU SPORT ${de(town)}`,
      ]);
    case '7°':
      return rng.chance(0.7) ? `ECOLE DE LA DEUXIEME CHANCE ${de(town)}` : `CENTRE EPIDE ${de(town)}`;
    case '8°':
      return `INSTITUT MEDICO-EDUCATIF ${person}`;
    case '9°':
      return `ESAT ${person}`;
    case '10°':
      return `ETABLISSEMENT EXPERIMENTAL POUR JEUNES HANDICAPES ${de(town)}`;
    case '11°':
      return rng.chance(0.6) ? `MISSION LOCALE ${de(town)}` : `CENTRE D'INFORMATION ET D'ORIENTATION ${de(town)}`;
    case '12°':
      return `ECOLE DE PRODUCTION ${person}`;
    case '13°':
      return rng.pick(NATIONAL_FORMS)(rng.pick(NATIONAL_THEMES));
    default:
      return `ETABLISSEMENT ${person}`;
  }
}
