/**
 * Inscription (the guide « n'êtes pas inscrit sur net-entreprises »).
 * The server keeps the step of each inscription in `inscription_drafts`: a step can only be taken
 * when the draft is at that step, so no step can be skipped or replayed by calling the API directly.
 * Drafts expire (TOKEN_LIFETIMES.inscriptionDraft); secrets in a draft are already hashed.
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
import { espaces, etablissementDeclarations, habilitationHistory, habilitations, inscriptionDrafts, users } from '../../infra/db/schema.js';
import { findEtablissement } from '../entreprises/registry-repository.js';
import { loginKey } from './login-key.js';
import { sendEmailValidation } from './email-validation.js';
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
  /** a company space already exists for this SIREN: this person asks to become administrator */
  candidat: boolean;
  raisonSociale?: string;
  passwordHash?: string;
  secretQuestion?: string;
  secretAnswerHash?: string;
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

/** Step 1: « Je m'inscris ». The SIRET must exist, active, in the registry. */
export async function startInscription(
  ctx: AppContext,
  input: StartInput,
  meta: { ip?: string },
): Promise<{ draftId: string; candidat: boolean }> {
  const etab = await findEtablissement(ctx.db, input.siret);
  if (!etab) throw new InscriptionError('invalid', 'Ce numéro SIRET est inconnu du répertoire des entreprises (SIRENE).', 'siret');
  if (etab.etatAdministratif !== 'A' || etab.entreprise.etatAdministratif !== 'A')
    throw new InscriptionError(
      'invalid',
      'Cet établissement est fermé dans le répertoire SIRENE : l’inscription n’est pas possible.',
      'siret',
    );
  if (await findUserByTriplet(ctx.db, input.siret, input.nom, input.prenom))
    throw new InscriptionError(
      'invalid',
      'Une personne portant ces nom et prénom est déjà inscrite pour ce SIRET. Utilisez « Mot de passe oublié ».',
      'nom',
    );

  const siren = sirenOfSiret(input.siret);
  const [existing] = await ctx.db.select({ id: espaces.id }).from(espaces).where(eq(espaces.siren, siren));
  const draftId = newToken();
  const now = ctx.clock.now();
  const data: DraftData = { ...input, siren, candidat: Boolean(existing), raisonSociale: etab.entreprise.raisonSociale };
  await ctx.db.transaction(async (tx) => {
    await tx.insert(inscriptionDrafts).values({
      idHash: sha256(draftId),
      step: 'cgu',
      data: data as unknown as Record<string, unknown>,
      createdAt: now,
      expiresAt: new Date(now.getTime() + TOKEN_LIFETIMES.inscriptionDraft),
    });
    await audit(tx, ctx.clock, {
      action: 'inscription.started',
      ip: meta.ip,
      details: { siret: input.siret, candidat: Boolean(existing) },
    });
  });
  return { draftId, candidat: Boolean(existing) };
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

/**
 * Step 5: « S'inscrire aux services net-entreprises ». A candidat AD is created now (the company's
 * profile belongs to its administrators); a first administrator goes on to the profile.
 */
export async function confirmRecap(ctx: AppContext, draftId: string | undefined, meta: { ip?: string }): Promise<'profil' | 'done'> {
  return advance(ctx, draftId, 'recap', async (tx, d) => {
    if (!d.data.candidat) return { next: 'profil', data: d.data, result: 'profil' as const };
    const [espace] = await tx.select().from(espaces).where(eq(espaces.siren, d.data.siren));
    if (!espace) throw new InscriptionError('invalid', 'L’espace de l’entreprise est introuvable. Recommencez l’inscription.');
    const userId = await createUser(tx, ctx, espace.id, d.data, 'administrateur', 'candidat');
    await audit(tx, ctx.clock, {
      action: 'inscription.candidat',
      actorUserId: userId,
      espaceId: espace.id,
      ip: meta.ip,
      details: { siret: d.data.siret },
    });
    await sendEmailValidation(tx, ctx, { id: userId, email: d.data.email, prenom: d.data.prenom, nom: d.data.nom });
    return { next: 'done', data: { ...d.data, userId, passwordHash: undefined, secretAnswerHash: undefined }, result: 'done' as const };
  });
}

export interface ProfileInput {
  kind: 'entreprise' | 'tiers_declarant';
  organisationType: string;
  domains: string[];
  /** the declarations kept after « Modifier la liste des déclarations » */
  declarations: string[];
}

/** Step 6: profile and declarations → the company space, its first administrator and their rights. */
export async function saveProfile(ctx: AppContext, draftId: string | undefined, input: ProfileInput, meta: { ip?: string }): Promise<void> {
  // Only the proposed choices: free text here would be stored in the espace (and a NUL would make the insert fail).
  if (!ORGANISATION_TYPES.some((o) => o.code === input.organisationType))
    throw new InscriptionError('invalid', 'Indiquez le type de votre organisation parmi ceux proposés.', 'organisationType');
  if (input.domains.some((d) => !DOMAINS.some((x) => x.code === d)))
    throw new InscriptionError('invalid', 'Choisissez les domaines de services parmi ceux proposés.', 'domains');
  const offered = new Set(declarationsOfDomains(input.domains).map((d) => d.code));
  const chosen = [...new Set(input.declarations)];
  const outside = chosen.find((c) => !offered.has(c));
  if (outside !== undefined)
    throw new InscriptionError('invalid', 'Une déclaration choisie ne correspond à aucun des services sélectionnés.', 'declarations'); // '' is falsy

  await advance(ctx, draftId, 'profil', async (tx, d) => {
    const now = ctx.clock.now();
    const [espace] = await tx
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
    if (!espace)
      throw new InscriptionError(
        'invalid',
        'Cette entreprise vient d’être inscrite par une autre personne : recommencez pour demander à en devenir administrateur.',
      );
    const userId = await createUser(tx, ctx, espace.id, d.data, 'administrateur', 'email_pending');
    const opensAt = accessibleAt(now, ctx.config.ACCESS_DELAY_HOURS);
    for (const code of chosen) {
      const decl = findDeclaration(code)!;
      await tx
        .insert(etablissementDeclarations)
        .values({ espaceId: espace.id, siret: d.data.siret, declarationCode: code, addedAt: now, accessibleAt: opensAt, addedBy: userId });
      await tx.insert(habilitations).values({
        userId,
        siret: d.data.siret,
        declarationCode: code,
        declarer: true,
        payer: decl.payable,
        grantedAt: now,
        grantedBy: userId,
      });
      await tx.insert(habilitationHistory).values({
        at: now,
        espaceId: espace.id,
        actorUserId: userId,
        userId,
        siret: d.data.siret,
        declarationCode: code,
        declarer: true,
        payer: decl.payable,
      });
    }
    await audit(tx, ctx.clock, {
      action: 'inscription.completed',
      actorUserId: userId,
      espaceId: espace.id,
      ip: meta.ip,
      details: { siret: d.data.siret, kind: input.kind, declarations: chosen },
    });
    await sendEmailValidation(tx, ctx, { id: userId, email: d.data.email, prenom: d.data.prenom, nom: d.data.nom });
    return {
      next: 'done',
      data: { ...d.data, userId, kind: input.kind, declarations: chosen, passwordHash: undefined, secretAnswerHash: undefined },
      result: undefined,
    };
  });
}

async function createUser(
  tx: Tx,
  ctx: AppContext,
  espaceId: string,
  d: DraftData,
  role: 'administrateur' | 'declarant',
  status: 'email_pending' | 'candidat',
): Promise<string> {
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
      role,
      status,
      passwordHash: d.passwordHash ?? null,
      secretQuestion: d.secretQuestion ?? null,
      secretAnswerHash: d.secretAnswerHash ?? null,
      createdAt: ctx.clock.now(),
      updatedAt: ctx.clock.now(),
    })
    .returning({ id: users.id });
  return user!.id;
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
