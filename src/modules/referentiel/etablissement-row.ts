/**
 * One row of an establishments file (docs/referentiel-format.md « Establishments file »): fully valid
 * (commune resolved, identifiers canonical) or refused with the first reason found, in the order of
 * the checks: type, name, SIRETs, UAIs, category and list, postal code and commune, coordinates.
 * Cross-row rules (parents, duplicates) are checked by the import.
 */
import { parseCategorie, type CategorieCode, type ListeCode } from '../../domain/referentiel.js';
import { capitalise } from '../../shared/format.js';
import type { Column } from './columns.js';
import { resolveCommune, type Commune, type CommuneIndex } from './commune-index.js';
import type { EtablissementInput, UaiValue } from './inputs.js';
import { normaliseDepartement, regionByName } from './territoires.js';
import { checkSiret, checkUai, parseDecimal, parseListe, parseRowType, shorten } from './values.js';

export type RowResult<T> = { ok: true; value: T; warnings: string[] } | { ok: false; reason: string };
/** A referential row's validation: its cells by column, where it stands (file, line), what it is checked against. */
export type RowValidator<T, Checks> = (get: (c: Column) => string, file: string, line: number, checks: Checks) => RowResult<T>;
type Step<T> = ({ ok: true } & T) | { ok: false; reason: string };
type RowType = EtablissementInput['type'];

const refuse = (reason: string) => ({ ok: false as const, reason });

export const validateEtablissement: RowValidator<EtablissementInput, CommuneIndex> = (get, file, line, communes) => {
  const warnings: string[] = [];
  const type = rowType(get);
  if (!type.ok) return type;
  const nom = get('nom');
  if (!nom) return refuse('Nom de l’établissement manquant.');
  const sirets = siretsOf(type.type, get, warnings);
  if (!sirets.ok) return sirets;
  const uais = uaisOf(get, warnings);
  if (!uais.ok) return uais;
  const lists = categorieAndListe(type.type, get);
  if (!lists.ok) return lists;
  const place = placeOf(get, communes, warnings);
  if (!place.ok) return place;
  const c = place.commune;
  const coordinates = coordinatesOf(get, c);
  if (!coordinates.ok) return coordinates;
  return {
    ok: true,
    warnings,
    value: {
      file,
      line,
      type: type.type,
      siret: sirets.siret,
      siretParent: sirets.siretParent,
      uais: uais.uais,
      nom,
      adresse: get('adresse'),
      codePostal: place.codePostal || (c.codesPostaux.length === 1 ? c.codesPostaux[0]! : null),
      codeCommune: c.code,
      commune: c.nom,
      departement: c.departement,
      region: c.region,
      lat: coordinates.lat,
      lng: coordinates.lng,
      categorie: lists.categorie,
      liste: lists.liste,
      checksumWarning: sirets.checksumWarning || uais.checksumWarning,
    },
  };
};

/** The row's type; empty: `composante` when `siret_parent` is filled, else `etablissement`. */
function rowType(get: (c: Column) => string): Step<{ type: RowType }> {
  const raw = get('type');
  if (!raw) return { ok: true, type: get('siret_parent') ? 'composante' : 'etablissement' };
  const t = parseRowType(raw);
  return t ? { ok: true, type: t } : refuse(`Type de ligne inconnu « ${shorten(raw)} » : « etablissement » ou « composante » attendu.`);
}

/** The row's SIRET (a composante without one gets its parent's) and its parent's. */
function siretsOf(
  type: RowType,
  get: (c: Column) => string,
  warnings: string[],
): Step<{ siret: string; siretParent: string | null; checksumWarning: boolean }> {
  const siretParentRaw = get('siret_parent');
  let siretParent: string | null = null;
  if (type === 'composante') {
    if (!siretParentRaw) return refuse('Composante sans établissement principal : indiquez « siret_parent ».');
    const p = checkSiret(siretParentRaw, 'SIRET parent');
    if (!p.ok) return refuse(`${p.reason}.`);
    siretParent = p.value.siret;
  }
  const siretRaw = get('siret');
  let siret: string;
  let checksumWarning = false;
  if (!siretRaw) {
    if (type === 'etablissement') return refuse('SIRET manquant.');
    siret = siretParent!;
  } else {
    const s = checkSiret(siretRaw);
    if (!s.ok) return refuse(`${s.reason}.`);
    siret = s.value.siret;
    checksumWarning = s.value.checksumWarning;
    if (s.warning) warnings.push(`${s.warning}.`);
  }
  if (type === 'etablissement' && siretParentRaw) {
    const p = checkSiret(siretParentRaw, 'SIRET parent');
    if (!p.ok || p.value.siret !== siret)
      return refuse('Un établissement principal n’a pas de « siret_parent » : indiquez « composante » dans la colonne « type ».');
  }
  return { ok: true, siret, siretParent, checksumWarning };
}

/** The UAIs, separated by `|`, `/` or spaces, each once. */
function uaisOf(get: (c: Column) => string, warnings: string[]): Step<{ uais: UaiValue[]; checksumWarning: boolean }> {
  const uais: UaiValue[] = [];
  let checksumWarning = false;
  for (const part of get('uai')
    .split(/[|/\s]+/)
    .filter(Boolean)) {
    const u = checkUai(part);
    if (!u.ok) return refuse(`${u.reason}.`);
    if (u.warning) warnings.push(`${u.warning}.`);
    if (u.value.checksumWarning) checksumWarning = true;
    if (!uais.some((x) => x.uai === u.value.uai)) uais.push(u.value);
  }
  return { ok: true, uais, checksumWarning };
}

/** The category of L. 6241-5 (a composante may inherit its parent's) and the list it implies (13° national). */
function categorieAndListe(type: RowType, get: (c: Column) => string): Step<{ categorie: CategorieCode | null; liste: ListeCode | null }> {
  let categorie: CategorieCode | null = null;
  const rawCategorie = get('categorie');
  if (rawCategorie) {
    categorie = parseCategorie(rawCategorie);
    if (!categorie)
      return refuse(`Catégorie inconnue « ${shorten(rawCategorie)} » : 1° à 13° de l’article L. 6241-5 du code du travail attendu.`);
  } else if (type === 'etablissement') return refuse('Catégorie manquante (1° à 13° de l’article L. 6241-5 du code du travail).');
  let liste: ListeCode | null = null;
  const rawListe = get('liste');
  if (rawListe) {
    liste = parseListe(rawListe);
    if (!liste) return refuse(`Liste inconnue « ${shorten(rawListe)} » : « regionale » ou « nationale » attendu.`);
  }
  if (!categorie) return liste ? refuse('Liste indiquée sans catégorie : indiquez aussi la catégorie.') : { ok: true, categorie, liste };
  const expected: ListeCode = categorie === '13°' ? 'nationale' : 'regionale';
  if (liste && liste !== expected)
    return refuse(
      categorie === '13°'
        ? 'Incohérence : la catégorie 13° (organismes nationaux) relève de la liste nationale.'
        : `Incohérence : la liste nationale est réservée à la catégorie 13° (catégorie lue : ${categorie}).`,
    );
  return { ok: true, categorie, liste: expected };
}

/** The commune (code, or postal code and name, or a unique name); département and région checked against it. */
function placeOf(get: (c: Column) => string, communes: CommuneIndex, warnings: string[]): Step<{ commune: Commune; codePostal: string }> {
  const codePostal = get('code_postal').replace(/\s/g, '');
  if (codePostal && !/^\d{5}$/.test(codePostal)) return refuse(`Code postal invalide « ${shorten(codePostal)} » : 5 chiffres attendus.`);
  const depRaw = get('departement');
  const res = resolveCommune(communes, {
    codeCommune: get('code_commune'),
    codePostal,
    nom: get('commune'),
    departement: depRaw ? normaliseDepartement(depRaw) : null,
  });
  if (!res.ok) return refuse(`${capitalise(res.message)}.`);
  const c = res.commune;
  if (depRaw) {
    const d = normaliseDepartement(depRaw);
    if (!d) warnings.push(`Département « ${shorten(depRaw)} » inconnu : celui de la commune (${c.departement}) est retenu.`);
    else if (d !== c.departement)
      warnings.push(`Département ${d} différent de celui de la commune ${c.nom} (${c.departement}) : celui de la commune est retenu.`);
  }
  const regRaw = get('region');
  if (regRaw) {
    const r = regionByName(regRaw);
    if (!r) warnings.push(`Région « ${shorten(regRaw)} » inconnue : celle de la commune est retenue.`);
    else if (r.code !== c.region)
      warnings.push(`Région « ${shorten(regRaw)} » différente de celle de la commune ${c.nom} : celle de la commune est retenue.`);
  }
  return { ok: true, commune: c, codePostal };
}

/** Latitude and longitude in decimal degrees, both or neither (neither: the centre of the commune). */
function coordinatesOf(get: (c: Column) => string, c: Commune): Step<{ lat: number | null; lng: number | null }> {
  const latRaw = get('latitude');
  const lngRaw = get('longitude');
  if (!latRaw && !lngRaw) return { ok: true, lat: c.lat, lng: c.lng };
  const la = parseDecimal(latRaw);
  const lo = parseDecimal(lngRaw);
  if (la === null || lo === null || la < -90 || la > 90 || lo < -180 || lo > 180)
    return refuse(
      `Coordonnées invalides « ${shorten(latRaw)} ; ${shorten(lngRaw)} » : latitude et longitude en degrés décimaux attendues (ex. : 48.8412 ; 2.3003).`,
    );
  return { ok: true, lat: la, lng: lo };
}
