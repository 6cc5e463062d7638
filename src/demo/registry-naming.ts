/**
 * Names and addresses of the generated demo companies: a name by legal category (a baker, an
 * association of the commune, a SCI, a town hall…), a made-up street in a real commune, and how many
 * establishments a company of that category has.
 */
import type { EtablissementRow } from '../modules/entreprises/registry-format.js';
import type { Rng } from './rng.js';
import { libelleCommuneSirene, type CommuneRef } from './seed-communes.js';
import {
  MUNICIPAL_SITES,
  NETWORK_PATTERNS,
  PLACES,
  PRENOMS,
  SPORTS,
  SUFFIXES,
  SURNAMES,
  TRADES,
  VOIE_NAMES,
  VOIE_TYPES,
  type Categorie,
} from './registry-words.js';

const ASSOCIATION_PATTERNS = [
  (c: string) => `ASSOCIATION SPORTIVE ${de(c)}`,
  (c: string) => `COMITE DES FETES ${de(c)}`,
  (c: string) => `AMICALE LAIQUE ${de(c)}`,
  (c: string) => `FOYER RURAL ${de(c)}`,
  (c: string) => `ECOLE DE MUSIQUE ${de(c)}`,
  (c: string) => `LES AMIS DU PATRIMOINE ${de(c)}`,
  (c: string) => `ASSOCIATION DES PARENTS D'ELEVES ${de(c)}`,
  (c: string) => `CLUB DES AINES ${de(c)}`,
  (c: string) => `AIDE A DOMICILE EN MILIEU RURAL ${de(c)}`,
  (c: string, r: Rng) => `CLUB DE ${r.pick(SPORTS)} ${de(c)}`,
  (c: string, r: Rng) => `${r.pick(SPORTS)} CLUB ${c}`,
] as const;

export function etablissementCount(rng: Rng, categorie: Categorie): number {
  switch (categorie) {
    case '1000':
      return rng.chance(0.95) ? 1 : 2;
    case '6540':
      return 1;
    case '9220':
      return rng.chance(0.85) ? 1 : 2;
    case '7210':
      return rng.between(3, 9);
    default: {
      const x = rng.next();
      if (x < 0.62) return 1;
      if (x < 0.84) return 2;
      if (x < 0.94) return 3;
      if (x < 0.99) return rng.between(4, 8);
      return rng.between(9, 25);
    }
  }
}

export interface Naming {
  raisonSociale: string;
  sigle: string | null;
  denomination: (k: number, commune: CommuneRef, rng: Rng) => string;
}

export function nameCompany(rng: Rng, categorie: Categorie, home: CommuneRef, isNetwork: boolean, reserved: Set<string>): Naming {
  const communeName = libelleCommuneSirene(home.commune);
  for (let attempt = 0; ; attempt++) {
    const naming = candidateName(rng, categorie, communeName, isNetwork);
    if (!reserved.has(naming.raisonSociale) || attempt > 20) return naming;
  }
}

function candidateName(rng: Rng, categorie: Categorie, communeName: string, isNetwork: boolean): Naming {
  const same = (name: string) => () => name;
  if (isNetwork) {
    const name = rng.pick(NETWORK_PATTERNS)(rng.pick(SURNAMES));
    const sigle = rng.chance(0.3) ? initials(name) : null;
    return {
      raisonSociale: name,
      sigle,
      denomination: (k, commune) => (k === 0 ? name : `${name} ${libelleCommuneSirene(commune.commune)}`),
    };
  }
  switch (categorie) {
    case '1000': {
      const raisonSociale = `${rng.pick(PRENOMS)} ${rng.pick(SURNAMES)}`;
      const surname = raisonSociale.slice(raisonSociale.indexOf(' ') + 1);
      const enseigne = rng.chance(0.6) ? `${rng.pick(TRADES)} ${surname}` : raisonSociale;
      return { raisonSociale, sigle: null, denomination: same(enseigne) };
    }
    case '9220': {
      const name = rng.pick(ASSOCIATION_PATTERNS)(communeName, rng);
      return { raisonSociale: name, sigle: rng.chance(0.15) ? initials(name) : null, denomination: same(name) };
    }
    case '6540': {
      const name = rng.chance(0.6)
        ? `SCI ${rng.pick(SURNAMES)}`
        : `SCI ${rng
            .pick(PLACES)
            .replace(/^(DU|DE LA|DES|DE L') ?/, 'LES ')
            .trim()}`;
      return { raisonSociale: name, sigle: null, denomination: same(name) };
    }
    case '7210': {
      const name = `COMMUNE ${de(communeName)}`;
      return {
        raisonSociale: name,
        sigle: null,
        denomination: (k, _c, r) => (k === 0 ? 'MAIRIE' : r.pick(MUNICIPAL_SITES)),
      };
    }
    case '6220': {
      const name = `GIE ${rng.pick(SURNAMES)} ${rng.pick(SUFFIXES)}`;
      return { raisonSociale: name, sigle: null, denomination: same(name) };
    }
    case '5785': {
      const name = rng.chance(0.5)
        ? `CABINET ${rng.pick(SURNAMES)} ET ASSOCIES`
        : `SELAS ${rng.pick(['PHARMACIE', 'CABINET DENTAIRE', 'CLINIQUE VETERINAIRE', 'LABORATOIRE'] as const)} ${rng.pick(SURNAMES)}`;
      return { raisonSociale: name, sigle: null, denomination: same(name) };
    }
    default: {
      const trade = rng.pick(TRADES);
      const x = rng.next();
      let name: string;
      if (x < 0.4) name = `${trade} ${rng.pick(SURNAMES)}`;
      else if (x < 0.52) name = `${trade} ${rng.pick(SURNAMES)} ET FILS`;
      else if (x < 0.66) name = `${trade} ${rng.pick(PLACES)}`;
      else if (x < 0.76) name = `${trade} ${de(communeName)}`;
      else if (x < 0.84) name = `${trade} ${rng.pick(SURNAMES)}-${rng.pick(SURNAMES)}`;
      else if (x < 0.9) name = `SOCIETE NOUVELLE ${trade} ${rng.pick(SURNAMES)}`;
      else name = `${rng.pick(SURNAMES)} ${rng.pick(SUFFIXES)}`;
      const sigle = name.split(' ').length >= 3 && rng.chance(0.05) ? initials(name) : null;
      return { raisonSociale: name, sigle, denomination: same(name) };
    }
  }
}

/** « DE » + name with French elision and contraction: D'ORLEANS, DU HAVRE, DES MUREAUX, DE LA ROCHELLE. */
function de(name: string): string {
  if (name.startsWith('LE ')) return `DU ${name.slice(3)}`;
  if (name.startsWith('LES ')) return `DES ${name.slice(4)}`;
  if (/^[AEIOUY]/.test(name)) return `D'${name}`;
  return `DE ${name}`;
}

const SMALL_WORDS = new Set(['DE', 'DU', 'DES', 'LA', 'LE', 'LES', 'ET', 'EN', 'A', "D'", "L'"]);

function initials(name: string): string {
  return name
    .split(/[\s-]+/)
    .filter((w) => !SMALL_WORDS.has(w) && !/^[DL]'/.test(w))
    .map((w) => w[0])
    .join('');
}

export function address(
  rng: Rng,
  commune: CommuneRef,
): Pick<EtablissementRow, 'adresse' | 'codePostal' | 'codeCommune' | 'libelleCommune'> {
  const type = rng.weighted(VOIE_TYPES);
  const numero = type === 'PLACE' || type === 'CHEMIN' ? rng.between(1, 30) : rng.between(1, 180);
  const indice = rng.chance(0.04) ? rng.pick([' BIS', ' TER'] as const) : '';
  const libelleCommune = libelleCommuneSirene(commune.commune);
  const voie = `${numero}${indice} ${type} ${rng.pick(VOIE_NAMES)}`;
  return {
    adresse: `${voie} ${commune.codePostal} ${libelleCommune}`,
    codePostal: commune.codePostal,
    codeCommune: commune.inseeCom,
    libelleCommune,
  };
}
