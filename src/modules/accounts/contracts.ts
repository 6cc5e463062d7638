/**
 * Contracts of the account portal (module accounts): one zod schema per form / API body, shared by the routes, the
 * pages and the OpenAPI document. Messages are French and name the field.
 */
import { z } from 'zod';
import { evaluatePassword, evaluateSecretAnswer, evaluateSecretQuestion } from '../../domain/password-policy.js';
import { checkboxList, email, personName, phone, siretField, text } from '../../shared/fields.js';

export const tripletSchema = z.object({
  siret: siretField,
  nom: personName('Le nom'),
  prenom: personName('Le prénom'),
});

export const loginSchema = tripletSchema.extend({
  password: z.preprocess(
    (v) => (v === undefined ? '' : v),
    z.string().min(1, 'Le mot de passe est obligatoire.').max(100, 'Le mot de passe est trop long.'),
  ),
  retour: z.string().max(200).optional(),
});

export const inscriptionStartSchema = z
  .object({
    siret: siretField,
    nom: personName('Le nom'),
    prenom: personName('Le prénom'),
    telephone: phone('Le téléphone'),
    portable: phone('Le téléphone portable', true),
    email: email('Le courriel'),
    emailConfirm: text('La confirmation du courriel', 254),
  })
  .superRefine((v, ctx) => {
    if (v.email && v.emailConfirm && v.email.toLowerCase() !== v.emailConfirm.toLowerCase())
      ctx.addIssue({ code: 'custom', path: ['emailConfirm'], message: 'La confirmation du courriel ne correspond pas au courriel saisi.' });
  });

/** Password + confirmation; `context` lets the policy refuse the person's own names. */
export function passwordSchema(context: { nom?: string; prenom?: string }) {
  return z
    .object({
      password: z.preprocess(
        (v) => (v === undefined ? '' : v),
        z.string().max(100, 'Le mot de passe doit comporter 20 caractères au maximum.'),
      ),
      passwordConfirm: z.preprocess((v) => (v === undefined ? '' : v), z.string().max(100)),
    })
    .superRefine((v, ctx) => {
      const r = evaluatePassword(v.password, context);
      if (!v.password) ctx.addIssue({ code: 'custom', path: ['password'], message: 'Le mot de passe est obligatoire.' });
      else if (!r.valid) ctx.addIssue({ code: 'custom', path: ['password'], message: r.errors.join(' ') });
      if (v.password && v.passwordConfirm !== v.password)
        ctx.addIssue({ code: 'custom', path: ['passwordConfirm'], message: 'La confirmation ne correspond pas au mot de passe.' });
    });
}

export const secretQuestionSchema = z
  .object({
    secretQuestion: z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string()),
    secretAnswer: z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string()),
  })
  .superRefine((v, ctx) => {
    const q = evaluateSecretQuestion(v.secretQuestion);
    if (!q.valid) ctx.addIssue({ code: 'custom', path: ['secretQuestion'], message: q.errors.join(' ') });
    const a = evaluateSecretAnswer(v.secretAnswer, { question: v.secretQuestion });
    if (!a.valid) ctx.addIssue({ code: 'custom', path: ['secretAnswer'], message: a.errors.join(' ') });
  });

/**
 * « Quel est votre profil d'entreprise ? ». `declarations` and `confirme: 'oui'` come with the dialog
 * « Validation de vos déclarations » answered on the page itself (its modal); without them the dialog
 * is the next page.
 */
export const profileSchema = z.object({
  kind: z.enum(['entreprise', 'tiers_declarant'], {
    error: 'Indiquez si vous souhaitez utiliser Net-Entreprises pour votre entreprise ou pour votre entreprise et vos clients.',
  }),
  organisationType: z
    .string({ error: 'Indiquez ce que vous êtes (« Vous êtes... »).' })
    .min(1, 'Indiquez ce que vous êtes (« Vous êtes... »).')
    .max(64),
  domains: checkboxList.refine((a) => a.length > 0, 'Choisissez au moins un domaine de services.'),
  declarations: checkboxList.optional(),
  confirme: z.preprocess((v) => (Array.isArray(v) ? (v as unknown[])[0] : v), z.literal('oui').optional()),
});

/** « Validation de vos déclarations »: the declarations kept (« Modifier la liste des déclarations »). */
export const declarationsSchema = z.object({ declarations: checkboxList });

/** « Gestion des habilitations pour l'entreprise »: the declarations ticked « Déclarer » and « Payer ». */
export const rightsSchema = z.object({
  declarer: checkboxList,
  payer: checkboxList,
  /** « Tous » ticked in the column « Déclarer » and/or « Payer » */
  tous: z.preprocess(
    (v) => (v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
    z.array(z.enum(['declarer', 'payer'], { error: 'Colonne inconnue.' })),
  ),
});

/** « Étape précédente »: the step the person is leaving (refused when the draft is elsewhere). */
export const backSchema = z.object({
  etape: z.string({ error: 'L’étape quittée est obligatoire.' }).min(1, 'L’étape quittée est obligatoire.').max(32),
});

export const emailPair = {
  email: email('Le courriel').refine((s) => s.length > 0, 'Le courriel est obligatoire.'),
  emailConfirm: text('La confirmation du courriel', 254),
};
export const emailsMatch = (v: { email: string; emailConfirm: string }, ctx: z.RefinementCtx) => {
  if (v.email && v.emailConfirm && v.email.toLowerCase() !== v.emailConfirm.toLowerCase())
    ctx.addIssue({ code: 'custom', path: ['emailConfirm'], message: 'La confirmation du courriel ne correspond pas au courriel saisi.' });
};

/** « Nouveau déclarant » / « Ajout d'un déclarant »: Nom*, Prénom*, Courriel*, Confirmation courriel*, Téléphone*. */
export const newDeclarantSchema = z
  .object({ nom: personName('Le nom'), prenom: personName('Le prénom'), ...emailPair, telephone: phone('Le téléphone') })
  .superRefine(emailsMatch);

/** « Supprimer » a collaborator of the list (its place, from 0). */
export const removeDeclarantSchema = z.object({
  rang: z.coerce
    .number({ error: 'Déclarant inconnu.' })
    .int('Déclarant inconnu.')
    .min(0, 'Déclarant inconnu.')
    .max(100, 'Déclarant inconnu.'),
});

export const cguSchema = z.object({
  decision: z.preprocess(
    (v: unknown) => (Array.isArray(v) ? (v as unknown[])[0] : v),
    z.enum(['accepte', 'refuse'], { error: 'Acceptez ou refusez les conditions générales.' }),
  ),
});

export const forgotSchema = tripletSchema.extend({
  methode: z.enum(['question', 'courriel', 'administrateur'], { error: 'Choisissez une façon de réinitialiser votre mot de passe.' }),
});

export const answerSchema = z.object({
  answer: z.preprocess(
    (v) => (v === undefined ? '' : v),
    z.string().min(1, 'La réponse est obligatoire.').max(100, 'La réponse est trop longue.'),
  ),
});

export const tokenSchema = z.object({ jeton: z.string().min(10).max(100) });

export const currentPasswordField = z.preprocess(
  (v) => (v === undefined ? '' : v),
  z.string().min(1, 'Le mot de passe actuel est obligatoire.').max(100),
);

export const emailChangeSchema = z.object({
  current: currentPasswordField,
  email: email('Le nouveau courriel').refine((s) => s.length > 0, 'Le nouveau courriel est obligatoire.'),
});

/** The answer of each inscription step: what happened, and the next step. */
export const stepResponse = z.object({ message: z.string(), etapeSuivante: z.string().optional() }).loose();
