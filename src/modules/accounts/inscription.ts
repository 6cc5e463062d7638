/**
 * Inscription (the guide « n'êtes pas inscrit sur net-entreprises »).
 * The server keeps the step of each inscription in `inscription_drafts`: a step can only be taken
 * when the draft is at that step, so no step can be skipped or replayed by calling the API directly.
 * Drafts expire (TOKEN_LIFETIMES.inscriptionDraft); secrets in a draft are already hashed.
 *
 * « Étape précédente » is a step too: it moves the draft from the step it is at to the one before
 * (inscription-path.ts), so going back never skips nor replays a step; « Abandonner l'inscription »
 * deletes the draft. The profile, its declarations, the rights and the déclarants are in
 * inscription-choices.ts; « Valider l'inscription », which creates the account, in inscription-account.ts.
 *
 * No account enumeration (docs/regles.md#comptes): every registrant takes the same steps and gets the
 * same answers. Whether the company already has an espace, and whether the triplet is already taken,
 * is decided only when the account would be created, at « Valider l'inscription », and shows in no
 * HTTP answer: what differs goes by mail (inscription-mails.ts).
 */
import { and, eq, lt } from 'drizzle-orm';
import { problem, ProblemError } from '../../shared/problem.js';
import type { AppContext } from '../../app-context.js';
import { sirenOfSiret, type Siret } from '../../domain/identifiers.js';
import { TOKEN_LIFETIMES } from '../../domain/tokens.js';
import { audit } from '../../infra/audit.js';
import { hashSecret, newToken, sha256 } from '../../infra/crypto.js';
import type { Tx } from '../../infra/db/index.js';
import { consumeRate } from '../../infra/throttle.js';
import { inscriptionDrafts, users } from '../../infra/db/schema.js';
import { findEtablissement } from '../entreprises/registry-repository.js';
import { takingEvenTime } from './even-time.js';
import { resendEmailValidation } from './email-validation.js';
import { previousStep, type InscriptionKind, type Step } from './inscription-path.js';

export type { Step } from './inscription-path.js';

/** A right asked for on one declaration (« Gestion des habilitations pour l'entreprise »). */
export interface DraftRight {
  declarer: boolean;
  payer: boolean;
}

/** A collaborator added under « Inscription des déclarants » (tiers-déclarants). */
export interface DraftDeclarant {
  nom: string;
  prenom: string;
  email: string;
  telephone: string;
}

export interface DraftData {
  siret: string;
  siren: string;
  nom: string;
  prenom: string;
  telephone: string;
  portable: string;
  email: string;
  raisonSociale?: string;
  passwordHash?: string;
  secretQuestion?: string;
  secretAnswerHash?: string;
  /** the account created at « Valider l'inscription » (none when the triplet was already taken) */
  userId?: string;
  kind?: InscriptionKind;
  organisationType?: string;
  domains?: string[];
  declarations?: string[];
  /** per declaration code */
  rights?: Record<string, DraftRight>;
  declarants?: DraftDeclarant[];
}

export type Draft = { idHash: string; step: Step; data: DraftData; expiresAt: Date };

/** A refusal of the inscription's step machine: an expired draft (410), a wrong step (409, with the current one), a field (400). */
export class InscriptionError extends ProblemError {
  constructor(
    readonly reason: 'expired' | 'wrong_step' | 'invalid',
    message: string,
    readonly field?: string,
    readonly currentStep?: Step,
  ) {
    super(
      problem(
        reason === 'expired' ? 'gone' : reason === 'wrong_step' ? 'conflict' : 'invalid',
        reason === 'expired' ? 'inscription_expiree' : reason === 'wrong_step' ? 'etape_incorrecte' : 'inscription_refusee',
        message,
        { errors: field ? { [field]: message } : {}, ...(currentStep ? { extra: { etapeEnCours: currentStep } } : {}) },
      ),
    );
  }
}

export async function loadDraft(ctx: AppContext, draftId: string | undefined): Promise<Draft | null> {
  if (!draftId || draftId.length > 100) return null;
  const [row] = await ctx.db
    .select()
    .from(inscriptionDrafts)
    .where(eq(inscriptionDrafts.idHash, sha256(draftId)));
  if (!row || row.expiresAt <= ctx.clock.now()) return null;
  return { idHash: row.idHash, step: row.step as Step, data: row.data as unknown as DraftData, expiresAt: row.expiresAt };
}

export const EXPIRED_MESSAGE = 'Votre inscription a expiré ou n’existe pas. Recommencez depuis le début.';
export const WRONG_STEP_MESSAGE = 'Cette étape n’est pas disponible : poursuivez l’inscription à l’étape en cours.';

/** Runs `run` on the live draft, its row locked for the transaction (a missing or expired one is refused). */
async function withLockedDraft<T>(ctx: AppContext, draftId: string | undefined, run: (tx: Tx, draft: Draft) => Promise<T>): Promise<T> {
  if (!draftId || draftId.length > 100) throw new InscriptionError('expired', EXPIRED_MESSAGE);
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(inscriptionDrafts)
      .where(eq(inscriptionDrafts.idHash, sha256(draftId)))
      .for('update');
    if (!row || row.expiresAt <= ctx.clock.now()) throw new InscriptionError('expired', EXPIRED_MESSAGE);
    return run(tx, { idHash: row.idHash, step: row.step as Step, data: row.data as unknown as DraftData, expiresAt: row.expiresAt });
  });
}

/** Runs one step: only if the draft exists, is alive and is exactly at `expected`. */
export async function advance<T>(
  ctx: AppContext,
  draftId: string | undefined,
  expected: Step,
  run: (tx: Tx, draft: Draft) => Promise<{ next: Step; data: DraftData; result: T }>,
): Promise<T> {
  return withLockedDraft(ctx, draftId, async (tx, draft) => {
    if (draft.step !== expected) throw new InscriptionError('wrong_step', WRONG_STEP_MESSAGE, undefined, draft.step);
    const { next, data, result } = await run(tx, draft);
    await tx
      .update(inscriptionDrafts)
      .set({ step: next, data: data as unknown as Record<string, unknown> })
      .where(eq(inscriptionDrafts.idHash, draft.idHash));
    return result;
  });
}

export interface StartInput {
  siret: Siret;
  nom: string;
  prenom: string;
  telephone: string;
  portable: string;
  email: string;
}

/**
 * Step 1: « Je m'inscris ». The SIRET must exist, active, in the registry (public data). Neither the
 * triplet nor the company's espace is looked at here: the answer is the same for everyone.
 */
export async function startInscription(ctx: AppContext, input: StartInput, meta: { ip?: string }): Promise<{ draftId: string }> {
  const etab = await findEtablissement(ctx.db, input.siret);
  if (!etab) throw new InscriptionError('invalid', 'Ce numéro SIRET est inconnu du répertoire des entreprises (SIRENE).', 'siret');
  if (etab.etatAdministratif !== 'A' || etab.entreprise.etatAdministratif !== 'A')
    throw new InscriptionError(
      'invalid',
      'Cet établissement est fermé dans le répertoire SIRENE : l’inscription n’est pas possible.',
      'siret',
    );
  const draftId = newToken();
  const now = ctx.clock.now();
  const data: DraftData = { ...input, siren: sirenOfSiret(input.siret), raisonSociale: etab.entreprise.raisonSociale };
  await ctx.db.transaction(async (tx) => {
    await tx.insert(inscriptionDrafts).values({
      idHash: sha256(draftId),
      step: 'cgu',
      data: data as unknown as Record<string, unknown>,
      createdAt: now,
      expiresAt: new Date(now.getTime() + TOKEN_LIFETIMES.inscriptionDraft),
    });
    await audit(tx, ctx.clock, { action: 'inscription.started', ip: meta.ip, details: { siret: input.siret } });
  });
  return { draftId };
}

/** Step 2: « J'accepte » moves on; « Je refuse » ends the inscription. */
export async function decideCgu(ctx: AppContext, draftId: string | undefined, accept: boolean): Promise<'accepted' | 'refused'> {
  if (!accept) {
    await advance(ctx, draftId, 'cgu', async (tx, d) => {
      await audit(tx, ctx.clock, { action: 'inscription.cgu_refused', details: { siret: d.data.siret } });
      return { next: 'cgu', data: d.data, result: null };
    });
    await ctx.db.delete(inscriptionDrafts).where(eq(inscriptionDrafts.idHash, sha256(draftId ?? '')));
    return 'refused';
  }
  return advance(ctx, draftId, 'cgu', async (_tx, d) => ({ next: 'identification', data: d.data, result: 'accepted' as const }));
}

/** Step 3: the read-only identification from the registry has been seen. */
export async function confirmIdentification(ctx: AppContext, draftId: string | undefined): Promise<void> {
  await advance(ctx, draftId, 'identification', async (_tx, d) => ({ next: 'password', data: d.data, result: undefined }));
}

/** Step 4: password + secret question; validated by the caller with the password policy. */
export async function choosePassword(
  ctx: AppContext,
  draftId: string | undefined,
  input: { password: string; secretQuestion: string; secretAnswer: string },
): Promise<void> {
  // Hash outside the transaction (argon2 is slow on purpose; don't hold a row lock meanwhile).
  const draft = await loadDraft(ctx, draftId);
  if (!draft) throw new InscriptionError('expired', EXPIRED_MESSAGE);
  const passwordHash = await hashSecret(input.password);
  const secretAnswerHash = await hashSecret(input.secretAnswer);
  await advance(ctx, draftId, 'password', async (_tx, d) => ({
    next: 'recap',
    data: { ...d.data, passwordHash, secretQuestion: input.secretQuestion, secretAnswerHash },
    result: undefined,
  }));
}

/** Step 5: « S'inscrire aux services net-entreprises »: everyone goes on to the profile. */
export async function confirmRecap(ctx: AppContext, draftId: string | undefined): Promise<'profil'> {
  return advance(ctx, draftId, 'recap', async (_tx, d) => ({ next: 'profil', data: d.data, result: 'profil' as const }));
}

/**
 * « Étape précédente »: the draft goes back from `from`, the step it is at (a second click, or a stale
 * page, finds it elsewhere and is refused), to the step before on its path. What was entered stays in
 * the draft and fills the forms again; each step is taken again from there, in order.
 */
export async function goBack(ctx: AppContext, draftId: string | undefined, from: Step): Promise<Step> {
  return advance(ctx, draftId, from, async (_tx, d) => {
    const previous = previousStep(from, d.data.kind);
    if (!previous) throw new InscriptionError('invalid', 'Il n’y a pas d’étape précédente à cette étape de l’inscription.', 'etape');
    return { next: previous, data: d.data, result: previous };
  });
}

/**
 * « Abandonner l'inscription » (after its confirmation): the draft is deleted with everything entered;
 * its cookie or token then opens nothing. Once validated (`done`) there is nothing left to abandon.
 */
export async function abandonInscription(ctx: AppContext, draftId: string | undefined, meta: { ip?: string }): Promise<void> {
  await withLockedDraft(ctx, draftId, async (tx, draft) => {
    if (draft.step === 'done') throw new InscriptionError('wrong_step', 'Votre inscription est déjà validée.', undefined, 'done');
    await tx.delete(inscriptionDrafts).where(eq(inscriptionDrafts.idHash, draft.idHash));
    await audit(tx, ctx.clock, { action: 'inscription.abandoned', ip: meta.ip, details: { siret: draft.data.siret, step: draft.step } });
  });
}

/** Abandoned inscriptions expire: the cleaner removes them (run periodically, any instance). */
export async function purgeExpiredDrafts(ctx: AppContext): Promise<number> {
  const rows = await ctx.db
    .delete(inscriptionDrafts)
    .where(lt(inscriptionDrafts.expiresAt, ctx.clock.now()))
    .returning({ id: inscriptionDrafts.idHash });
  return rows.length;
}

export async function draftUserEmail(ctx: AppContext, draft: Draft) {
  if (!draft.data.userId) return null;
  const [u] = await ctx.db
    .select({ id: users.id, email: users.email, status: users.status, emailValidatedAt: users.emailValidatedAt })
    .from(users)
    .where(and(eq(users.id, draft.data.userId)));
  return u ?? null;
}

/**
 * « Renvoyer le courriel de validation » at the end of the inscription: the same answer whatever the
 * profile step decided. With an account, its validation mail again (3 an hour, counted with the login
 * page's button); without one (the triplet was taken), nothing is sent, and the same 3 an hour count.
 * The answer takes at least EVEN_ANSWER_MS (even-time.ts).
 */
export async function resendInscriptionMail(ctx: AppContext, draft: Draft): Promise<'sent' | 'too_many'> {
  return takingEvenTime(async () => {
    const userId = draft.data.userId;
    if (userId) return (await resendEmailValidation(ctx, userId)) === 'too_many' ? 'too_many' : 'sent';
    const allowed = await ctx.db.transaction((tx) => consumeRate(tx, `resend:inscription:${draft.idHash}`, ctx.clock.now(), 3, 3600));
    return allowed ? 'sent' : 'too_many';
  });
}
