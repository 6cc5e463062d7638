/**
 * Contracts of « Gestion » (module gestion): one zod schema per form / API body / query, shared by the
 * routes, the use cases and the OpenAPI document. Messages are French and name the field.
 */
import { z } from 'zod';
import { personName, phone, text } from '../../shared/fields.js';
import { emailPair, emailsMatch, passwordSchema, secretQuestionSchema, type newDeclarantSchema } from '../accounts/contracts.js';
import { isJour } from '../../domain/jours.js';
import { CONSULTATION_KIND_KEYS } from './consultation.js';
import { DUAL_LIST_MOVES } from './dual-list-moves.js';

/** A value or a list of values (a form repeats the field), as a list. */
const asList = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? (v as unknown[]) : [v]);
/** A missing text field as the empty string. */
const orEmpty = (v: unknown) => (v === undefined || v === null ? '' : v);

export const idParams = z.object({ id: z.string().max(64) });
export const siretParams = z.object({ siret: z.string().max(64) });
export const portefeuilleParams = z.object({ id: z.string().max(64) });
export const clientParams = z.object({ id: z.string().max(64), siren: z.string().max(64) });
export const pageQuery = z.object({ page: z.string().max(10).optional() });

// ── « Gérer les déclarants » and the invitation ────────────────────────────────────────────────

export { newDeclarantSchema } from '../accounts/contracts.js';
export type NewDeclarant = z.infer<typeof newDeclarantSchema>;

/** « Modifier »: Nom*, Prénom*, Téléphone* (the e-mail has its own validated change). */
export const editDeclarantSchema = z.object({
  nom: personName('Le nom'),
  prenom: personName('Le prénom'),
  telephone: phone('Le téléphone'),
});
export type DeclarantEdit = z.infer<typeof editDeclarantSchema>;

/** « Changer le courriel »: the new address and its confirmation. */
export const declarantEmailSchema = z.object(emailPair).superRefine(emailsMatch);
export type DeclarantEmail = z.infer<typeof declarantEmailSchema>;

/** The invitation link's form: the token, a password and a secret question (the policy also knows the person's names). */
export const invitationSchema = (person: { nom?: string; prenom?: string } = {}) =>
  passwordSchema(person)
    .and(secretQuestionSchema)
    .and(z.object({ jeton: z.string().max(100) }));

// ── « Gérer les déclarations » ─────────────────────────────────────────────────────────────────

const codeList = z.preprocess(
  asList,
  z
    .array(z.string({ error: 'Code de déclaration incorrect.' }).max(64, 'Code de déclaration trop long (64 caractères au maximum).'), {
      error: 'Liste de déclarations incorrecte.',
    })
    .max(100, 'Trop de déclarations envoyées (100 au maximum).'),
);

/** Body of POST /gestion/declarations/:siret: the full selected list; `action`/`ajouter`/`retirer` are the form's arrows. */
export const declarationsBodySchema = z.object({
  declarations: codeList.describe('La liste complète des déclarations sélectionnées (codes du catalogue), répétée'),
  action: z.enum([...DUAL_LIST_MOVES, 'valider'], { error: 'Action inconnue : utilisez une flèche ou « Valider ».' }).optional(),
  ajouter: codeList.optional(),
  retirer: codeList.optional(),
});

// ── « Gérer les habilitations » ────────────────────────────────────────────────────────────────

/** 2 MB: a few thousand déclarant × SIRET lines; anything bigger is refused before parsing (413). */
export const IMPORT_BODY_LIMIT = 2 * 1024 * 1024;

const valueList = (label: string, max: number) =>
  z.preprocess(
    (v) => (v === '' ? [] : asList(v)),
    z.array(z.string().max(100, `${label} : valeur incorrecte.`)).max(max, `${label} : trop de valeurs.`),
  );

/** The grid's criteria; the SIRET is a text field (14 digits, spaces allowed), checked afterwards with its French message. */
export const criteriaSchema = z.object({
  siret: z.preprocess(orEmpty, z.string().max(30, 'Le SIRET doit comporter 14 chiffres.')),
  declarant: z.preprocess(orEmpty, z.string().regex(/^([0-9a-f-]{36})?$/i, 'Déclarant inconnu.')),
  service: z.preprocess(orEmpty, z.string().regex(/^[A-Z_]{0,40}$/, 'Service inconnu.')),
  page: z.preprocess((v) => (v === undefined || v === null || v === '' ? 1 : v), z.coerce.number().int().min(1).max(100_000)),
});
export const criteriaQuery = criteriaSchema.partial().extend({ recherche: z.string().optional() });

/** « Valider » one page of the grid: every row shown, with the boxes checked; `bascule` is « Tout (dé)cocher » without JavaScript. */
export const gridSchema = z.object({
  siret: z.string().optional(),
  declarant: z.string().optional(),
  service: z.string().optional(),
  page: z.string().optional(),
  rows: valueList('Lignes', 200),
  declarer: valueList('Déclarer', 200),
  payer: valueList('Payer', 200),
  bascule: z.enum(['declarer', 'payer']).optional(),
});

/** The import form: the pasted (or read) CSV text. */
export const importFormSchema = z.object({
  csv: z.string({ error: 'Collez le contenu du fichier CSV.' }).max(IMPORT_BODY_LIMIT, 'Le fichier dépasse 2 Mo.'),
});

export const historyQuery = z.object({ page: z.string().max(10).optional() });

// ── « Consultation » ──────────────────────────────────────────────────────────────────────────

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An optional day of the filter (AAAA-MM-JJ, as the date field sends it); '' when not given. */
const filterDay = (label: string) =>
  z.preprocess(
    orEmpty,
    z.string().refine((s) => s === '' || isJour(s), `${label} : une date au format JJ/MM/AAAA est attendue.`),
  );

/** The filters of « Consultation » (a GET form: every field optional, '' meaning « all »). */
export const consultationQuery = z
  .object({
    type: z.preprocess(
      orEmpty,
      z.string().refine((s) => s === '' || (CONSULTATION_KIND_KEYS as string[]).includes(s), 'Type : choisissez un type de la liste.'),
    ),
    du: filterDay('Du'),
    au: filterDay('Au'),
    personne: z.preprocess(
      orEmpty,
      z.string().refine((s) => s === '' || UUID_RE.test(s), 'Personne : choisissez une personne de la liste.'),
    ),
    page: z.string().max(10).optional(),
  })
  .refine((q) => !q.du || !q.au || q.du <= q.au, { path: ['au'], message: 'Au : la date de fin ne peut précéder la date de début.' });

// ── « Gérer vos portefeuilles » ────────────────────────────────────────────────────────────────

const idList = (max: number) =>
  z.preprocess(
    (v) => (v === '' ? [] : asList(v)),
    z
      .array(z.string({ error: 'Valeur incorrecte.' }).max(64, 'Valeur incorrecte.'), { error: 'Valeur incorrecte.' })
      .max(max, `${max} éléments au maximum.`),
  );

/** The two lists' arrows (no-JavaScript round trip): `action` and the checked items; JSON clients send only the list. */
const dualListMove = {
  action: z.enum([...DUAL_LIST_MOVES, 'valider'], { error: 'Action inconnue : utilisez une flèche ou « Valider ».' }).optional(),
  ajouter: idList(500).optional(),
  retirer: idList(500).optional(),
};
export const portefeuilleSchema = z.object({
  name: text('Le nom du portefeuille', 100),
  comment: text('Le commentaire', 500, { optional: true }),
  declarants: idList(500).optional(),
  ...dualListMove,
});
export const portefeuilleDeclarantsSchema = z.object({ declarants: idList(500), ...dualListMove });
export const portefeuilleDeclarationsSchema = z.object({ declarations: idList(100), ...dualListMove });
export const sirenSchema = z.object({ siren: text('Le SIREN', 30) });
export const siretsSchema = z.object({ sirets: idList(20_000) });
export const transferSchema = z.object({ cible: text('Le portefeuille de destination', 64) });
export const portefeuillesQuery = z.object({
  critere: z.string().max(20).optional(),
  valeur: z.string().optional(),
  page: z.string().max(10).optional(),
});
export const recapitulatifQuery = z.object({ impression: z.literal('1').optional(), page: z.string().max(10).optional() });
