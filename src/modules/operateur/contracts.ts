/**
 * Contracts of the operator's space (module operateur): one zod schema per form / API body, shared by
 * the routes and the OpenAPI document. Messages are French and name the field.
 */
import { z } from 'zod';
import { email, siretField, text } from '../../shared/fields.js';

export const agentLoginSchema = z.object({
  courriel: email('Le courriel').refine((s) => s !== '', 'Le courriel est obligatoire.'),
  password: z.preprocess(
    (v) => (v === undefined ? '' : v),
    z.string().min(1, 'Le mot de passe est obligatoire.').max(100, 'Le mot de passe est trop long.'),
  ),
  retour: z.string().max(200).optional(),
});

export const agentCodeSchema = z.object({
  code: z.preprocess(
    (v) => (typeof v === 'string' ? v.replace(/\s+/g, '') : v),
    z.string({ error: 'Le code est obligatoire.' }).regex(/^\d{6}$/, 'Le code : les 6 chiffres affichés par votre application.'),
  ),
});

export const agentPasswordSchema = z
  .object({
    jeton: z.string().min(1).max(100),
    password: z.preprocess((v) => (v === undefined ? '' : v), z.string().min(1, 'Le mot de passe est obligatoire.').max(100)),
    passwordConfirm: z.preprocess((v) => (v === undefined ? '' : v), z.string().max(100)),
  })
  .superRefine((v, ctx) => {
    if (v.password && v.passwordConfirm !== v.password)
      ctx.addIssue({ code: 'custom', path: ['passwordConfirm'], message: 'La confirmation ne correspond pas au mot de passe.' });
  });

export const bankVerdictSchema = z
  .object({
    siret: siretField,
    statut: z.enum(['verifiee', 'rejetee'], { error: 'Le verdict : « Vérifiée » ou « Rejetée ».' }),
    motif: text('Le motif', 500, { optional: true }),
  })
  .superRefine((v, ctx) => {
    if (v.statut === 'rejetee' && v.motif.length < 3)
      ctx.addIssue({ code: 'custom', path: ['motif'], message: 'Indiquez le motif du rejet : il est communiqué à l’établissement.' });
  });

const day = z.string().max(20).optional();

/**
 * The calendar form (`/operateur/campagnes/<année>`): days `AAAA-MM-JJ` or `JJ/MM/AAAA`, rows
 * `periodes.<i>.debut|fin` and `vagues.<i>.date|periode` (0-based); read by campagnes/formulaire.ts and
 * checked by the code of `campagne-modifier`. `action`: `enregistrer` (default), `ajouter-periode`,
 * `ajouter-vague` (the form again with one more row).
 */
export const campaignFormSchema = z
  .object({
    action: z.enum(['enregistrer', 'ajouter-periode', 'ajouter-vague']).optional(),
    etablissementsOuverture: day,
    employeursOuverture: day,
    reliquat: day,
    redesignationFin: day,
    reliquatPartRegionale: z.string().max(6).optional(),
    source: z.string().max(500).optional(),
  })
  .catchall(z.string().max(20));

/** The fields of an import's form (« Imports »): the campaign year when the kind has one, the operator's fee for envelopes. */
export const importFieldsSchema = z.object({
  annee: z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : typeof v === 'string' ? v.trim() : v),
    z
      .string({ error: 'Indiquez l’année de campagne.' })
      .regex(/^\d{4}$/, 'L’année de campagne : 4 chiffres, par exemple 2025.')
      .transform(Number)
      .refine((n) => n >= 2020 && n <= 2100, 'L’année de campagne doit être comprise entre 2020 et 2100.')
      .optional(),
  ),
  frais: z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.string().max(30, 'Le montant des frais est trop long.').optional()),
});
