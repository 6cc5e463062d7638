/**
 * The fixed, well-known demo companies (used by the seed, the demo script and the browser tests):
 * literal identifiers that tests and docs use (a unit test checks they pass their check digit), their
 * entreprise and établissement rows in the demo registry.
 */
import { makeValidSiret } from '../domain/identifiers.js';
import type { EntrepriseRow, EtablissementRow } from '../modules/entreprises/registry-format.js';
import { address } from './registry-naming.js';
import type { Rng } from './rng.js';
import { libelleCommuneSirene, type CommuneRef } from './seed-communes.js';

const GIP_ADRESSE = '86 RUE DE LA FEDERATION 75015 PARIS';

/**
 * Fixed demo companies. Their identifiers are literal so tests and docs can use them; a unit test
 * checks they pass their check digit.
 */
export const DEMO_COMPANIES = {
  /** mono-établissement company: one active SIRET */
  boulangerieMoutin: {
    siren: '999001001',
    raisonSociale: 'BOULANGERIE MOUTIN',
    siret: '99900100100018',
    sirets: ['99900100100018'],
  },
  /**
   * multi-établissement company, 3 active établissements at the same address. The requested SIREN
   * 999005703 fails the Luhn check; 999005705 is the nearest valid number.
   */
  gipMds: {
    siren: '999005705',
    raisonSociale: 'GIP MDS TEST PROJET',
    adresse: GIP_ADRESSE,
    /** siège */
    siret: '99900570500010',
    sirets: ['99900570500010', '99900570500028', '99900570500036'],
  },
  /** accounting firm (tiers-déclarant), 2 active établissements */
  cabinetDurand: {
    siren: '999002009',
    raisonSociale: 'CABINET COMPTABLE DURAND ET ASSOCIES',
    /** siège */
    siret: '99900200900010',
    sirets: ['99900200900010', '99900200900028'],
  },
  /** ceased company ('C'), its only établissement closed ('F') */
  menuiserieCessee: {
    siren: '999003007',
    raisonSociale: 'MENUISERIE LEROUX',
    siret: '99900300700013',
    sirets: ['99900300700013'],
  },
  /** « réseau »: 120 établissements, siège 0001, NIC 0002 closed, the others active */
  transportsGiraudier: {
    siren: '999004005',
    raisonSociale: 'TRANSPORTS GIRAUDIER',
    siret: '99900400500016',
    closedSiret: '99900400500024',
    etablissementCount: 120,
  },
  /**
   * A real habilitated establishment (public lycée, SIRENE data; in the SOLTéA referential of the
   * demo): its people are fictitious. Used by the establishment space (« SOLTéA – Etablissements »).
   */
  lyceeRaspail: {
    siren: '197506918',
    raisonSociale: 'LYCEE DES METIERS RASPAIL',
    siret: '19750691800048',
    sirets: ['19750691800048'],
    uai: '0750691U',
  },
} as const;

type Address = Pick<EtablissementRow, 'adresse' | 'codePostal' | 'codeCommune' | 'libelleCommune'>;

/** Where the fixed rows go, and the communes they are placed in. */
interface Fixed {
  entreprises: EntrepriseRow[];
  etablissements: EtablissementRow[];
  communes: readonly CommuneRef[];
}

function fixedCommune(communes: readonly CommuneRef[], inseeCom: string, codePostal: string): CommuneRef {
  const c = communes.find((x) => x.inseeCom === inseeCom && x.codePostal === codePostal);
  if (!c) throw new Error(`demo registry: commune ${inseeCom} ${codePostal} missing from the communes list`);
  return c;
}

/** A street address in a commune of the list, as SIRENE writes it. */
function at(f: Fixed, numeroEtVoie: string, inseeCom: string, codePostal: string): Address {
  const c = fixedCommune(f.communes, inseeCom, codePostal);
  const libelleCommune = libelleCommuneSirene(c.commune);
  return {
    adresse: `${numeroEtVoie} ${c.codePostal} ${libelleCommune}`,
    codePostal: c.codePostal,
    codeCommune: c.inseeCom,
    libelleCommune,
  };
}

function etab(siret: string, denomination: string, estSiege: boolean, addr: Address, etat: 'A' | 'F' = 'A'): EtablissementRow {
  return { siret, siren: siret.slice(0, 9), denomination, estSiege, ...addr, etatAdministratif: etat, checksumWarning: false };
}

function entreprise(
  c: { siren: string; raisonSociale: string },
  categorieJuridique: string,
  sigle: string | null = null,
  etat: 'A' | 'C' = 'A',
): EntrepriseRow {
  return { siren: c.siren, raisonSociale: c.raisonSociale, sigle, categorieJuridique, etatAdministratif: etat };
}

/** Adds the fixed companies to the registry (before the generated ones; the réseau's addresses drawn from `rng`). */
export function addFixedCompanies(
  out: { entreprises: EntrepriseRow[]; etablissements: EtablissementRow[] },
  rng: Rng,
  communes: readonly CommuneRef[],
  byDep: Map<string, CommuneRef[]>,
): void {
  const f: Fixed = { entreprises: out.entreprises, etablissements: out.etablissements, communes };
  const { boulangerieMoutin: bm, gipMds: gip, cabinetDurand: cd, menuiserieCessee: mc } = DEMO_COMPANIES;
  f.entreprises.push(entreprise(bm, '5499'));
  f.etablissements.push(etab(bm.siret, bm.raisonSociale, true, at(f, '25 RUE NATIONALE', '37261', '37000')));
  f.entreprises.push(entreprise(gip, '7410', 'GIP MDS'));
  const paris15 = at(f, '86 RUE DE LA FEDERATION', '75115', '75015');
  gip.sirets.forEach((siret, k) => f.etablissements.push(etab(siret, gip.raisonSociale, k === 0, paris15)));
  f.entreprises.push(entreprise(cd, '5785'));
  f.etablissements.push(etab(cd.sirets[0], cd.raisonSociale, true, at(f, '15 RUE DE LA REPUBLIQUE', '69382', '69002')));
  f.etablissements.push(etab(cd.sirets[1], cd.raisonSociale, false, at(f, '7 AVENUE HENRI BARBUSSE', '69266', '69100')));
  f.entreprises.push(entreprise(mc, '5499', null, 'C'));
  f.etablissements.push(etab(mc.siret, mc.raisonSociale, true, at(f, '3 IMPASSE DES ARTISANS', '44109', '44000'), 'F'));
  addTransportsGiraudier(f, rng, byDep);
  const lr = DEMO_COMPANIES.lyceeRaspail;
  f.entreprises.push(entreprise(lr, '7331'));
  f.etablissements.push(etab(lr.siret, lr.raisonSociale, true, at(f, '5 BIS AVENUE MAURICE D OCAGNE', '75114', '75014')));
}

/** The réseau: its siège in Villeurbanne, the other établissements around Lyon, Grenoble, Saint-Étienne and Bourg. */
function addTransportsGiraudier(f: Fixed, rng: Rng, byDep: Map<string, CommuneRef[]>): void {
  const tg = DEMO_COMPANIES.transportsGiraudier;
  f.entreprises.push(entreprise(tg, '5710'));
  const rhoneAlpes = [...(byDep.get('69') ?? []), ...(byDep.get('38') ?? []), ...(byDep.get('42') ?? []), ...(byDep.get('01') ?? [])];
  for (let k = 0; k < tg.etablissementCount; k++) {
    const siret = makeValidSiret(tg.siren, String(k + 1).padStart(4, '0'));
    const commune = k === 0 ? fixedCommune(f.communes, '69266', '69100') : rng.pick(rhoneAlpes.length ? rhoneAlpes : f.communes);
    const addr = address(rng, commune);
    const denomination = k === 0 ? tg.raisonSociale : `${tg.raisonSociale} ${addr.libelleCommune}`;
    f.etablissements.push(etab(siret, denomination, k === 0, addr, siret === tg.closedSiret ? 'F' : 'A'));
  }
}
