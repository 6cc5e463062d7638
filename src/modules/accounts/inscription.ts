/**
 * Inscription (the guide « n'êtes pas inscrit sur net-entreprises »).
 * The server keeps the step of each inscription in `inscription_drafts`: a step can only be taken
 * when the draft is at that step, so no step can be skipped or replayed by calling the API directly.
 * Drafts expire (TOKEN_LIFETIMES.inscriptionDraft); secrets in a draft are already hashed.
 *
 * No account enumeration (docs/regles.md#comptes): every registrant takes the same steps and gets the
 * same answers. Whether the company already has an espace, and whether the triplet is already taken,
 * is decided only when the account would be created, at the end of the profile step (`saveProfile`),
 * and shows in no HTTP answer: what differs goes by mail (inscription-mails.ts).
 */
import { and, eq, lt } from 'drizzle-orm';
import { problem, ProblemError } from '../../shared/problem.js';
import type { AppContext } from '../../app-context.js';
import { accessibleAt, declarationsOfDomains, DOMAINS, findDeclaration, ORGANISATION_TYPES } from '../../domain/declarations.js';
import { sirenOfSiret, type Siret } from '../../domain/identifiers.js';
import { TOKEN_LIFETIMES } from '../../domain/tokens.js';
import { audit } from '../../infra/audit.js';
import { hashSecret, newToken, sha256 } from '../../infra/crypto.js';
import type { Tx } from '../../infra/db/index.js';
import { consumeRate } from '../../infra/throttle.js';
import { espaces, etablissementDeclarations, habilitationHistory, habilitations, inscriptionDrafts, users } from '../../infra/db/schema.js';
import { findEtablissement } from '../entreprises/registry-repository.js';
import { loginKey } from './login-key.js';
import { takingEvenTime } from './even-time.js';
import { mailTripletTaken } from './inscription-mails.js';
import { resendEmailValidation, sendEmailValidation } from './email-validation.js';
import { findUserByTriplet } from './users-repository.js';

export type Step = 'cgu' | 'identification' | 'password' | 'recap' | 'profil' | 'done';

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
  /** the account created at the profile step (none when the triplet was already taken) */
  userId?: string;
  kind?: 'entreprise' | 'tiers_declarant';
  declarations?: string[];
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

/** Runs one step: only if the draft exists, is alive and is exactly at `expected`. */
async function advance<T>(
  ctx: AppContext,
  draftId: string | undefined,
  expected: Step,
  run: (tx: Tx, draft: Draft) => Promise<{ next: Step; data: DraftData; result: T }>,
): Promise<T> {
  if (!draftId || draftId.length > 100)
    throw new InscriptionError('expired', 'Votre inscription a expiré ou n’existe pas. Recommencez depuis le début.');
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(inscriptionDrafts)
      .where(eq(inscriptionDrafts.idHash, sha256(draftId)))
      .for('update');
    if (!row || row.expiresAt <= ctx.clock.now())
      throw new InscriptionError('expired', 'Votre inscription a expiré ou n’existe pas. Recommencez depuis le début.');
    if (row.step !== expected)
      throw new InscriptionError(
        'wrong_step',
        'Cette étape n’est pas disponible : poursuivez l’inscription à l’étape en cours.',
        undefined,
        row.step as Step,
      );
    const draft: Draft = { idHash: row.idHash, step: row.step, data: row.data as unknown as DraftData, expiresAt: row.expiresAt };
    const { next, data, result } = await run(tx, draft);
    await tx
      .update(inscriptionDrafts)
      .set({ step: next, data: data as unknown as Record<string, unknown> })
      .where(eq(inscriptionDrafts.idHash, row.idHash));
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
  if (!draft) throw new InscriptionError('expired', 'Votre inscription a expiré ou n’existe pas. Recommencez depuis le début.');
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

export interface ProfileInput {
  kind: 'entreprise' | 'tiers_declarant';
  organisationType: string;
  domains: string[];
  /** the declarations kept after « Modifier la liste des déclarations » */
  declarations: string[];
}

/**
 * Step 6: profile and declarations, then the account, decided here and only here (never in an answer):
 * - the triplet is already taken (a live person with these names on this SIRET): no account; that
 *   person is told at their registered address, nothing is sent to the address typed;
 * - the company has no espace: the espace, its first administrator and their rights, the validation mail;
 * - the company has an espace: a candidat AD (the profile and declarations chosen are what they ask
 *   for; the administrators decide under « Demande en attente »), the validation mail.
 * The three run the same first statements, and the answer takes at least EVEN_ANSWER_MS (even-time.ts).
 */
export async function saveProfile(ctx: AppContext, draftId: string | undefined, input: ProfileInput, meta: { ip?: string }): Promise<void> {
  const chosen = checkProfile(input);
  await takingEvenTime(() => advance(ctx, draftId, 'profil', (tx, d) => createAccount(tx, ctx, d, input, chosen, meta)));
}

/** Only the proposed choices: free text here would be stored in the espace (and a NUL would make the insert fail). */
function checkProfile(input: ProfileInput): string[] {
  if (!ORGANISATION_TYPES.some((o) => o.code === input.organisationType))
    throw new InscriptionError('invalid', 'Indiquez le type de votre organisation parmi ceux proposés.', 'organisationType');
  if (input.domains.some((d) => !DOMAINS.some((x) => x.code === d)))
    throw new InscriptionError('invalid', 'Choisissez les domaines de services parmi ceux proposés.', 'domains');
  const offered = new Set(declarationsOfDomains(input.domains).map((d) => d.code));
  const chosen = [...new Set(input.declarations)];
  const outside = chosen.find((c) => !offered.has(c));
  if (outside !== undefined)
    throw new InscriptionError('invalid', 'Une déclaration choisie ne correspond à aucun des services sélectionnés.', 'declarations'); // '' is falsy
  return chosen;
}

async function createAccount(tx: Tx, ctx: AppContext, d: Draft, input: ProfileInput, chosen: string[], meta: { ip?: string }) {
  const done = (userId?: string) => ({
    next: 'done' as const,
    data: { ...d.data, userId, kind: input.kind, declarations: chosen, passwordHash: undefined, secretAnswerHash: undefined },
    result: undefined,
  });
  const [created] = await tx
    .insert(espaces)
    .values({
      siren: d.data.siren,
      siret: d.data.siret,
      kind: input.kind,
      organisationType: input.organisationType,
      domains: input.domains,
    })
    .onConflictDoNothing()
    .returning();
  const [espace] = created ? [created] : await tx.select().from(espaces).where(eq(espaces.siren, d.data.siren));
  if (!espace) throw new InscriptionError('invalid', 'L’espace de l’entreprise est introuvable. Recommencez l’inscription.');
  // The unique index on the triplet decides, for everyone in the same statement, and against an
  // inscription committed meanwhile (the insert waits for it, then does nothing).
  const userId = await createUser(tx, ctx, espace.id, d.data, created ? 'email_pending' : 'candidat');
  if (!userId) {
    // a live person holds the triplet, so their company has its espace: nothing was created
    await tellTripletOwner(tx, ctx, d.data, meta);
    return done();
  }
  if (created) await grantDeclarations(tx, ctx, espace.id, d.data.siret, userId, chosen);
  await audit(tx, ctx.clock, {
    action: created ? 'inscription.completed' : 'inscription.candidat',
    actorUserId: userId,
    espaceId: espace.id,
    ip: meta.ip,
    details: created
      ? { siret: d.data.siret, kind: input.kind, declarations: chosen }
      : // what the candidat asks for: the administrators decide
        { siret: d.data.siret, kind: input.kind, organisationType: input.organisationType, domains: input.domains, declarations: chosen },
  });
  await sendEmailValidation(tx, ctx, { id: userId, email: d.data.email, prenom: d.data.prenom, nom: d.data.nom });
  return done(userId);
}

/** The triplet is taken: its owner is told at their registered address; the address typed gets nothing. */
async function tellTripletOwner(tx: Tx, ctx: AppContext, data: DraftData, meta: { ip?: string }) {
  const owner = await findUserByTriplet(tx, data.siret, data.nom, data.prenom);
  if (!owner) throw new InscriptionError('invalid', 'L’inscription n’a pas pu aboutir. Recommencez l’inscription.');
  await mailTripletTaken(tx, ctx, owner, data);
  await audit(tx, ctx.clock, {
    action: 'inscription.triplet_taken',
    espaceId: owner.espaceId,
    targetUserId: owner.id,
    ip: meta.ip,
    details: { siret: data.siret },
  });
}

/** The first administrator's declarations, opened after the access delay, and their rights on them. */
async function grantDeclarations(tx: Tx, ctx: AppContext, espaceId: string, siret: string, userId: string, chosen: string[]) {
  const now = ctx.clock.now();
  const opensAt = accessibleAt(now, ctx.config.ACCESS_DELAY_HOURS);
  for (const code of chosen) {
    const decl = findDeclaration(code)!;
    await tx
      .insert(etablissementDeclarations)
      .values({ espaceId, siret, declarationCode: code, addedAt: now, accessibleAt: opensAt, addedBy: userId });
    await tx.insert(habilitations).values({
      userId,
      siret,
      declarationCode: code,
      declarer: true,
      payer: decl.payable,
      grantedAt: now,
      grantedBy: userId,
    });
    await tx.insert(habilitationHistory).values({
      at: now,
      espaceId,
      actorUserId: userId,
      userId,
      siret,
      declarationCode: code,
      declarer: true,
      payer: decl.payable,
    });
  }
}

/** An administrator of `espaceId`; null when a live person already holds the triplet (unique index users_login_uq). */
async function createUser(
  tx: Tx,
  ctx: AppContext,
  espaceId: string,
  d: DraftData,
  status: 'email_pending' | 'candidat',
): Promise<string | null> {
  const [user] = await tx
    .insert(users)
    .values({
      espaceId,
      siret: d.siret,
      nom: d.nom,
      prenom: d.prenom,
      loginKey: loginKey(d.nom, d.prenom),
      email: d.email,
      telephone: d.telephone,
      portable: d.portable || null,
      role: 'administrateur',
      status,
      passwordHash: d.passwordHash ?? null,
      secretQuestion: d.secretQuestion ?? null,
      secretAnswerHash: d.secretAnswerHash ?? null,
      createdAt: ctx.clock.now(),
      updatedAt: ctx.clock.now(),
    })
    .onConflictDoNothing()
    .returning({ id: users.id });
  return user?.id ?? null;
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
