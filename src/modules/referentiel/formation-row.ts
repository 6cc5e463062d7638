/**
 * One row of a formations file (docs/referentiel-format.md « Formations file »): the establishment
 * it points at (SIRET and/or UAI, resolved by the import), the diploma (title, CFD, RNCP code,
 * niveau, type) and the place when it differs from the establishment's. A file repeats the same
 * values on many rows: each check is remembered (`createFormationChecks`).
 */
import { parseCfd, parseNiveau, parseRncp } from '../../domain/referentiel.js';
import { resolveCommune, type CommuneIndex, type CommuneResolution } from './commune-index.js';
import type { RowValidator } from './etablissement-row.js';
import type { FormationInput } from './inputs.js';
import { checkSiret, checkUai, memo, shorten } from './values.js';

export interface FormationChecks {
  siret: (raw: string) => ReturnType<typeof checkSiret>;
  uai: (raw: string) => ReturnType<typeof checkUai>;
  cfd: (raw: string) => string | null;
  rncp: (raw: string) => string | null;
  niveau: (raw: string) => number | null;
  lieu: (key: string) => CommuneResolution;
}

/** The checks of one file, each remembered. */
export function createFormationChecks(communes: CommuneIndex): FormationChecks {
  return {
    siret: memo((raw) => checkSiret(raw)),
    uai: memo(checkUai),
    cfd: memo((raw) => parseCfd(raw.replace(/[\s-]/g, ''))),
    rncp: memo((raw) => {
      const r = parseRncp(raw);
      return r === 'RNCP0' ? null : r;
    }),
    niveau: memo((raw) => (/^\D*\d\D*$/.test(raw) ? parseNiveau(raw) : null)),
    lieu: memo((key) => {
      const [codeCommune, codePostal, nom] = key.split('\u0001');
      return resolveCommune(communes, { codeCommune, codePostal, nom });
    }),
  };
}

export const validateFormation: RowValidator<FormationInput, FormationChecks> = (get, file, line, checks) => {
  const warnings: string[] = [];
  const intitule = get('intitule');
  if (!intitule) return { ok: false, reason: 'Intitulé de la formation manquant.' };
  const siretRaw = get('siret');
  const uaiRaw = get('uai');
  if (!siretRaw && !uaiRaw)
    return { ok: false, reason: 'Établissement manquant : indiquez le SIRET (et l’UAI d’une composante) ou l’UAI.' };
  let siret: string | null = null;
  if (siretRaw) {
    const s = checks.siret(siretRaw);
    if (!s.ok) return { ok: false, reason: `${s.reason}.` };
    siret = s.value.siret;
  }
  let uai: string | null = null;
  if (uaiRaw) {
    const u = checks.uai(uaiRaw);
    if (!u.ok) return { ok: false, reason: `${u.reason}.` };
    uai = u.value.uai;
  }
  let cfd: string | null = null;
  const cfdRaw = get('cfd');
  if (cfdRaw) {
    cfd = checks.cfd(cfdRaw);
    if (!cfd)
      return { ok: false, reason: `Code diplôme (CFD) invalide « ${shorten(cfdRaw)} » : 8 chiffres ou lettres attendus (ex. : 32031212).` };
  }
  let rncp: string | null = null;
  const rncpRaw = get('rncp');
  if (rncpRaw) {
    rncp = checks.rncp(rncpRaw);
    if (!rncp)
      return {
        ok: false,
        reason: `Code RNCP invalide « ${shorten(rncpRaw)} » : « RNCP » suivi de 1 à 6 chiffres attendu (ex. : RNCP38368).`,
      };
  }
  let niveau: number | null = null;
  const niveauRaw = get('niveau');
  if (niveauRaw) {
    niveau = checks.niveau(niveauRaw);
    if (niveau === null)
      return {
        ok: false,
        reason: `Niveau invalide « ${shorten(niveauRaw)} » : un niveau de 3 à 8 du cadre national des certifications attendu.`,
      };
  }
  const typeRaw = get('type');
  const type = typeRaw ? typeRaw.toUpperCase() : null;

  let lieu: FormationInput['lieu'] = null;
  const codeCommune = get('code_commune');
  const codePostal = get('code_postal').replace(/\s/g, '');
  const commune = get('commune');
  if (codeCommune || codePostal || commune) {
    if (codePostal && !/^\d{5}$/.test(codePostal))
      return { ok: false, reason: `Code postal du lieu de formation invalide « ${shorten(codePostal)} » : 5 chiffres attendus.` };
    const res = checks.lieu(`${codeCommune}\u0001${codePostal}\u0001${commune}`);
    if (!res.ok) return { ok: false, reason: `Lieu de formation : ${res.message}.` };
    lieu = { codeCommune: res.commune.code, commune: res.commune.nom };
  }
  return { ok: true, warnings, value: { file, line, siret, uai, intitule, cfd, rncp, niveau, type, lieu } };
};
