/**
 * Contracts of the establishment space (module espace-etablissement): the forms and JSON bodies of
 * « Présentation et contacts » and « Coordonnées bancaires », with their field decoding and French
 * messages, shared by the routes, the OpenAPI document and the tests.
 */
import { z } from 'zod';
import { checkBankDetails, type BankDetails } from '../../domain/coordonnees-bancaires.js';
import { email, phone, text } from '../../shared/fields.js';
import { PRESENTATION_MAX } from './profil.js';

// ── addresses ───────────────────────────────────────────────────────────────────────────────────────

/** The SIRET of the URL: checked by the use case (`loadEstablishment`), which answers 404 whatever it is. */
export const siretParams = z.object({ siret: z.string().max(20) });
/** « Versements »: the campaign shown (the current one and the two before; any other value shows the current one). */
export const campaignQuery = z.object({ annee: z.string().max(4).optional() });
/** A contact or a site by its position in the list, from 1. */
export const itemParams = z.object({ siret: z.string().max(20), n: z.string().max(4) });

/** « Lien direct »: `?generer=1` once the person asked for the link and its message. */
export const linkQuery = z.object({ generer: z.string().max(2).optional() }).loose();

// ── « Présentation et contacts » ────────────────────────────────────────────────────────────────────

const NAME_RE = /^[\p{L}][\p{L}\p{M} '’.-]*$/u;

/** A website address: http or https, a host with a dot (or localhost), no credentials, ≤ 500 characters. */
export function parseWebsite(input: string): { ok: true; value: string } | { ok: false; message: string } {
  const v = input.trim();
  if (v === '') return { ok: false, message: 'L’adresse du site est obligatoire.' };
  if (v.length > 500) return { ok: false, message: 'L’adresse du site : 500 caractères au maximum.' };
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(v) ? v : `https://${v}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, message: 'L’adresse du site n’est pas valide (exemple : https://www.mon-etablissement.fr).' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, message: 'L’adresse du site doit commencer par https:// ou http://.' };
  if (url.username || url.password)
    return { ok: false, message: 'L’adresse du site ne doit pas contenir d’identifiant ni de mot de passe.' };
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(url.hostname.replace(/^xn--/, '')) || /\.$/.test(url.hostname))
    return { ok: false, message: 'L’adresse du site n’est pas valide (exemple : https://www.mon-etablissement.fr).' };
  return { ok: true, value: url.toString() };
}

/** The digest of the fiche the form was built from (empty: no check). */
const version = z.preprocess((v) => (v === undefined || v === null ? '' : v), z.string().max(64));

/** Required, 2 to `max` characters: « est obligatoire » when empty, « 2 caractères au minimum » when too short. */
const required = (label: string, max: number) => text(label, max).refine((s) => s.length !== 1, `${label} : 2 caractères au minimum.`);

export const contactSchema = z.object({
  fonction: required('La fonction', 80),
  nom: required('Le nom du contact', 80).refine(
    (s) => s === '' || NAME_RE.test(s),
    'Le nom du contact : seuls les lettres, espaces, points, apostrophes et tirets sont acceptés.',
  ),
  courriel: email('Le courriel du contact'),
  telephone: phone('Le téléphone du contact', true),
});
export const contactChangeSchema = contactSchema.extend({ version });
export const removeSchema = z.object({ version });

const websiteField = z.preprocess(
  (v) => (v === undefined || v === null ? '' : v),
  z.string({ error: 'L’adresse du site : valeur incorrecte.' }).transform((s, ctx) => {
    const r = parseWebsite(s);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.message });
      return z.NEVER;
    }
    return r.value;
  }),
);

export const siteSchema = z.object({ libelle: required('Le libellé du site', 80), url: websiteField });
export const siteChangeSchema = siteSchema.extend({ version });

export const presentationSchema = z.object({
  presentation: z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    z
      .string({ error: 'La présentation : valeur incorrecte.' })
      .transform((s) => s.normalize('NFC').replace(/\r\n?/g, '\n').trim())
      .refine((s) => s.length <= PRESENTATION_MAX, `La présentation : ${PRESENTATION_MAX} caractères au maximum.`)
      .refine((s) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(s), 'La présentation contient des caractères non autorisés.'),
  ),
});

// ── « Coordonnées bancaires » ───────────────────────────────────────────────────────────────────────

/** A typed field: at most 300 characters kept, anything that is not text read as empty. */
const typed = (description?: string) => {
  const field = z.preprocess((v) => (typeof v === 'string' ? v.slice(0, 300) : ''), z.string());
  return description ? field.describe(description) : field;
};

const bankFields = z.object({
  iban: typed('IBAN (espaces acceptés)'),
  bic: typed(),
  titulaire: typed(),
  code: typed('Le code reçu par courriel'),
});

export type BankForm = z.infer<typeof bankFields>;

/** IBAN, BIC, titulaire and code, every field checked at once (`checkBankDetails`) and normalised. */
export const bankDetailsSchema = bankFields.transform((v, ctx): BankDetails => {
  const r = checkBankDetails(v);
  if (r.ok) return r.value;
  for (const [field, message] of Object.entries(r.errors)) ctx.addIssue({ code: 'custom', path: [field], message });
  return z.NEVER;
});

/** What the form shows again after a refusal (the typed values, decoded as the contract reads them). */
export const bankFormValues = (body: unknown): BankForm => {
  const r = bankFields.safeParse(body && typeof body === 'object' ? body : {});
  return r.success ? r.data : { iban: '', bic: '', titulaire: '', code: '' };
};

// ── answers (documentation only) ────────────────────────────────────────────────────────────────────

export const choicesResponse = z.object({ campagne: z.number().nullable(), etablissements: z.array(z.any()) }).loose();
export const establishmentResponse = z.object({ etablissement: z.any() }).loose();
export const profilResponse = z
  .object({ presentation: z.string(), contacts: z.array(z.any()), sites: z.array(z.any()), version: z.string() })
  .loose();
export const linkResponse = z.object({ lien: z.string(), message: z.string().nullable() }).loose();
export const bankResponse = z.object({ actuelles: z.any(), historique: z.array(z.any()), code: z.any() }).loose();
export const codeResponse = z
  .object({ message: z.string(), envoi: z.enum(['courriel', 'courrier']), valableJusquau: z.string(), destinataires: z.array(z.string()) })
  .loose();
export const receivedResponse = z.object({ campagne: z.number(), totalCents: z.string(), attributions: z.array(z.any()) }).loose();

/** « Versements »: amounts in cents as strings (bigint). */
export const paymentsResponse = z
  .object({ campagne: z.number(), totalCents: z.string(), virements: z.array(z.any()), partsReliquat: z.array(z.any()) })
  .loose();
