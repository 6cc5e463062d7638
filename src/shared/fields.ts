/**
 * Zod building blocks of every contract (forms and JSON bodies go through the same schema), with French
 * messages that name the field, and `parseBody`, which turns a refusal into one message per field,
 * shown next to the field (HTML) or in the problem's `errors` (JSON). Each module writes its own
 * contracts (contracts.ts) from these.
 */
import { z } from 'zod';
import { parseSiret, parseSiren } from '../domain/identifiers.js';

z.config(z.locales.fr());

export type FieldErrors = Record<string, string>;

export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors; values: Record<string, unknown> };

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): Parsed<z.infer<S>> {
  const values = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const r = schema.safeParse(values);
  if (r.success) return { ok: true, data: r.data };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const key = String(issue.path[0] ?? '_form');
    if (!errors[key]) errors[key] = issue.message;
  }
  return { ok: false, errors, values };
}

/** Trimmed, bounded text. `max` protects the database and the pages from 10 MB fields. */
export const text = (label: string, max: number, opts: { min?: number; optional?: boolean } = {}) => {
  const base = z
    .string({ error: `${label} : valeur incorrecte.` })
    .transform((s) => s.normalize('NFC').trim())
    .refine((s) => s.length <= max, `${label} : ${max} caractères au maximum.`)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), `${label} : caractères non autorisés.`);
  if (opts.optional) return z.preprocess((v) => (v === undefined || v === null ? '' : v), base);
  return z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    base.refine(
      (s) => s.length >= (opts.min ?? 1),
      (opts.min ?? 1) > 1 ? `${label} : ${opts.min} caractères au minimum.` : `${label} est obligatoire.`,
    ),
  );
};

/** A person's name: letters, spaces, apostrophes and hyphens (no markup, no digits). */
export const personName = (label: string) =>
  text(label, 50).refine(
    (s) => s === '' || /^[\p{L}][\p{L}\p{M} '’.-]*$/u.test(s),
    `${label} : seuls les lettres, espaces, apostrophes et tirets sont acceptés.`,
  );

export const EMAIL_RE = /^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
export const email = (label = 'Le courriel') =>
  text(label, 254).refine(
    (s) => s === '' || EMAIL_RE.test(s),
    `${label} n’est pas une adresse électronique valide (exemple : nom@domaine.fr).`,
  );

/** French phone numbers: 10 digits starting with 0, or +33 / +262 … international form. */
export const PHONE_RE = /^(?:0[1-9](?:[ .-]?\d{2}){4}|\+\d{2,3}[ .-]?\d(?:[ .-]?\d{2}){4})$/;
export const phone = (label: string, optional = false) =>
  text(label, 20, { optional }).refine(
    (s) => s === '' || PHONE_RE.test(s),
    `${label} doit comporter 10 chiffres (exemple : 01 23 45 67 89).`,
  );

export const checkboxList = z.preprocess(
  (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
  z.array(z.string().max(64)).max(100),
);

/**
 * The text of one field of a parsed query string or form body: the value when it is text, the first
 * value when the field is repeated, '' otherwise (absent, an object from a JSON body…).
 */
export function textField(source: unknown, name: string): string {
  const v = source && typeof source === 'object' ? (source as Record<string, unknown>)[name] : undefined;
  if (typeof v === 'string') return v;
  return Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
}

/** An identifier typed by a person: at most 30 characters, then checked and normalised by `parse`. */
function identifierField<T extends string>(parse: (s: string) => { ok: true; value: T } | { ok: false; message: string }, tooLong: string) {
  return z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    z
      .string()
      .max(30, tooLong)
      .transform((s, ctx) => {
        const r = parse(s);
        if (!r.ok) {
          ctx.addIssue({ code: 'custom', message: r.message });
          return z.NEVER;
        }
        return r.value;
      }),
  );
}

/** A SIRET typed by a person (spaces allowed), checked (Luhn, La Poste) and normalised to 14 digits. */
export const siretField = identifierField(parseSiret, 'Le numéro SIRET doit comporter 14 chiffres.');

/** A SIREN typed by a person, checked and normalised to 9 digits. */
export const sirenField = identifierField(parseSiren, 'Le numéro SIREN doit comporter 9 chiffres.');

/** The answer of most changes: what happened, in French (and whatever else the route adds). */
export const messageResponse = z.object({ message: z.string() }).loose();
