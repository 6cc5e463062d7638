/**
 * Contracts of « SOLTéA - Employeurs » (module attributions): the addresses, the forms and the JSON
 * bodies, with the decoding of their fields — a percentage typed as « 12,5 », the version of the
 * Synthèse a form was built from, the targets ticked on « Attribuer » — and their French messages.
 */
import { z } from 'zod';
import { parsePercent } from '../../domain/money.js';
import type { FieldErrors } from '../../shared/fields.js';
import type { TargetShare } from './apply-change.js';
import type { EstablishmentTargets } from './targets.js';
import { MAX_IMPORT_BYTES } from './import-csv-read.js';

/** The first value of a form field (a repeated field comes as a list). */
export const firstString = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');

/** A list of strings (a form sends one value as a string, several as a list). */
const stringList = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];

// ── addresses ─────────────────────────────────────────────────────────────────────────────────────

export const siretParams = z.object({ siret: z.string().max(20).describe('SIRET de l’employeur (14 chiffres)') });
/** An allocation (a line of the Synthèse) or a group: its id, digits (anything else answers « introuvable »). */
export const lineParams = siretParams.extend({ id: z.string().max(20) });
export const attribuerParams = siretParams.extend({ etab: z.string().max(20).describe('SIRET de l’établissement habilité') });

/** An id of the address: a number, or null when it is not one (the route answers « introuvable »). */
export const idOf = (v: unknown): number | null => (typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : null);

// ── fields ────────────────────────────────────────────────────────────────────────────────────────

/** A percentage typed by a person: « 12,5 », « 12.5 », « 12,5 % » → basis points (docs/regles.md#argent). */
export const percentField = z.preprocess(
  firstString,
  z.string().transform((s, ctx) => {
    const p = parsePercent(s);
    if (!p.ok) {
      ctx.addIssue({ code: 'custom', message: p.message });
      return z.NEVER;
    }
    return p.bp;
  }),
);

/**
 * The version of the Synthèse a form was built from (a stale one is refused): a whole number; absent,
 * null. A version that is not a number is refused (the form was tampered with or cut).
 */
export const versionField = z.unknown().transform((v, ctx) => {
  if (v === undefined || v === null || v === '') return null;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    ctx.addIssue({ code: 'custom', message: 'Le formulaire est incomplet.' });
    return z.NEVER;
  }
  return n;
});

/** The form's name of a target: `e<id>` (établissement, composante) or `f<id>` (formation). */
export const cibleOf = (t: { formationId?: number | null; etablissementId: number }) =>
  t.formationId ? `f${t.formationId}` : `e${t.etablissementId}`;

// ── forms ─────────────────────────────────────────────────────────────────────────────────────────

/** The changes of the Synthèse that carry only the version (« Supprimer », « Enregistrer vos attributions », « Répliquer »). */
export const versionBody = z.object({ version: versionField.describe('Version de la synthèse lue (refus 409 si elle a changé)') });

/** « Redésigner »: the unpayable share of the SIRET (`non_versables` id) and the establishment chosen. */
export const redesignerParams = siretParams.extend({ id: z.string().max(20).describe('La part non versable') });
export const redesignerBody = z.object({
  version: versionField.describe('Version de la synthèse lue (refus 409 si elle a changé)'),
  siret: z
    .string({ error: 'Choisissez un établissement dans la liste.' })
    .trim()
    .regex(/^\d{14}$/, 'Choisissez un établissement dans la liste.')
    .describe('SIRET de l’établissement habilité qui reçoit la part'),
});

/** « Modifier » → « Valider mon attribution ». */
export const modifierBody = versionBody.extend({ pourcentage: percentField.describe('« 12,5 » ou « 12.5 »') });

/** « Partage de coordonnées »: oui / non. */
export const partageBody = z.object({
  partage: z
    .unknown()
    .transform((v) => v === true || v === 'oui' || v === 'true')
    .describe('oui ou non'),
});

/** « Enregistrer mes choix » on « Attribuer »: the ticked targets (`cible`) and one `pct_<cible>` field per target. */
export const attribuerBody = versionBody
  .extend({
    cible: z
      .preprocess(stringList, z.array(z.string()))
      .describe('Les cibles cochées (e<id> : établissement ou composante, f<id> : formation)'),
  })
  .catchall(z.unknown().describe('pct_<cible> : le pourcentage de la cible'));

/** The percentage typed for a target, as shown back in its field. */
export const typedPercent = (body: Record<string, unknown>, cible: string): string => firstString(body[`pct_${cible}`]).trim().slice(0, 20);

const MISSING_PERCENT = 'Indiquez le pourcentage de vos crédits à attribuer (par exemple 10 ou 12,5).';

export interface AttribuerChoices {
  /** the typed percentages, by field name, shown back */
  values: Record<string, string>;
  /** one message per wrong field (`pct_<cible>`, `_form`) */
  errors: FieldErrors;
  /** the ticked targets with their share, and the field of each */
  items: TargetShare[];
  itemCible: string[];
  /** this establishment's targets left unticked: removed from the choices */
  retirer: TargetShare['target'][];
}

/** The « Attribuer » form against the establishment's targets: the ticked ones with their percentage. */
export function attribuerChoices(
  targets: EstablishmentTargets,
  body: Record<string, unknown>,
  ticked: ReadonlySet<string>,
): AttribuerChoices {
  const out: AttribuerChoices = { values: {}, errors: {}, items: [], itemCible: [], retirer: [] };
  const all = [
    ...targets.places.map((p) => ({ cible: cibleOf({ etablissementId: p.id }), target: { etablissementId: p.id, formationId: null } })),
    ...targets.formations.map((f) => ({
      cible: cibleOf({ etablissementId: f.etablissementId, formationId: f.id }),
      target: { etablissementId: f.etablissementId, formationId: f.id },
    })),
  ];
  const known = new Set(all.map((a) => a.cible));
  for (const c of ticked)
    if (!known.has(c)) out.errors._form = 'Le formulaire désigne une cible qui n’appartient pas à cet établissement : rechargez la page.';
  for (const a of all) {
    const typed = typedPercent(body, a.cible);
    if (typed) out.values[`pct_${a.cible}`] = typed;
    if (!ticked.has(a.cible)) {
      out.retirer.push(a.target);
      continue;
    }
    if (!typed) {
      out.errors[`pct_${a.cible}`] = MISSING_PERCENT;
      continue;
    }
    const p = percentField.safeParse(typed);
    if (!p.success) out.errors[`pct_${a.cible}`] = p.error.issues[0]!.message;
    else {
      out.items.push({ target: a.target, bp: p.data });
      out.itemCible.push(a.cible);
    }
  }
  return out;
}

/** The whole set at once, for software. */
export const remplacerBody = z.object({
  version: z
    .number()
    .int()
    .optional()
    .describe('Version de la synthèse lue (refus 409 si elle a changé) ; sans version, l’ensemble remplace ce qui existe'),
  valider: z.boolean().optional().describe('Valider les attributions dans le même pas (« Enregistrer vos attributions »), vrai par défaut'),
  attributions: z
    .array(
      z.object({
        etablissementId: z.number().int(),
        formationId: z.number().int().nullable().optional(),
        pourcentage: z.string().max(20).describe('« 12,5 » ou « 12.5 »'),
      }),
    )
    .max(2000),
});

export const REMPLACER_SHAPE =
  'Le corps de la requête est incorrect : { version?, valider?, attributions: [{ etablissementId, formationId?, pourcentage }] }.';

/** The API's lines → shares, or one message per wrong percentage (`attributions.<i>.pourcentage`). */
export function sharesOf(
  lines: z.infer<typeof remplacerBody>['attributions'],
): { ok: true; items: TargetShare[] } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const items: TargetShare[] = [];
  lines.forEach((a, i) => {
    const p = percentField.safeParse(a.pourcentage);
    if (!p.success) errors[`attributions.${i}.pourcentage`] = `Ligne ${i + 1} : ${p.error.issues[0]!.message}`;
    else items.push({ target: { etablissementId: a.etablissementId, formationId: a.formationId ?? null }, bp: p.data });
  });
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, items };
}

/** « Mes groupes »: a new group. */
export const groupeBody = z.object({
  nom: z.preprocess((v) => firstString(v).slice(0, 200), z.string()).describe('Nom du groupe'),
  reference: z.preprocess((v) => firstString(v).slice(0, 20), z.string()).describe('SIRET de référence'),
  membres: z.preprocess((v) => stringList(v).slice(0, 500), z.array(z.string())).describe('Les autres SIRET du groupe (même SIREN)'),
});

// ── import ────────────────────────────────────────────────────────────────────────────────────────

/** The import as JSON: the file's text and « Valider les attributions ». */
export const importJsonBody = z.object({
  csv: z.string({ error: 'Le contenu du fichier CSV (champ csv) est obligatoire.' }).max(MAX_IMPORT_BYTES, 'Le fichier dépasse 5 Mo.'),
  valider: z.union([z.boolean(), z.string()]).optional(),
});

const TRUE_WORDS = new Set(['1', 'true', 'on', 'oui', 'yes']);
const FALSE_WORDS = new Set(['0', 'false', 'off', 'non', 'no', '']);

/** « Valider les attributions »: on by default; a form that says it was sent (`envoye`) and leaves the box unticked means off. */
export function validerOf(body: Record<string, unknown>, query: Record<string, unknown>): boolean {
  const v = body.valider ?? query.valider;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (TRUE_WORDS.has(s)) return true;
    if (FALSE_WORDS.has(s)) return false;
  }
  return body.envoye === undefined;
}
