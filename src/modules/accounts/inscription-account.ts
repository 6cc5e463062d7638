/**
 * « Valider l'inscription »: the account, decided here and only here (never in an answer):
 * - the triplet is already taken (a live person with these names on this SIRET): no account; that
 *   person is told at their registered address, nothing is sent to the address typed;
 * - the company has no espace: the espace, its first administrator with the rights chosen in the table,
 *   the collaborators added under « Inscription des déclarants » (invited once the administrator's
 *   address is validated, inscription-declarants.ts), the validation mail;
 * - the company has an espace: a candidat AD (the profile, declarations, rights and collaborators
 *   chosen are what they ask for; the administrators decide under « Demande en attente »), the
 *   validation mail.
 * The three run the same first statements, and the answer takes at least EVEN_ANSWER_MS (even-time.ts).
 */
import { eq } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { accessibleAt, findDeclaration } from '../../domain/declarations.js';
import { audit } from '../../infra/audit.js';
import type { Tx } from '../../infra/db/index.js';
import { espaces, etablissementDeclarations, habilitationHistory, habilitations, users } from '../../infra/db/schema.js';
import { sendEmailValidation } from './email-validation.js';
import { takingEvenTime } from './even-time.js';
import { advance, InscriptionError, type Draft, type DraftData, type DraftRight } from './inscription.js';
import { mailTripletTaken } from './inscription-mails.js';
import { loginKey } from './login-key.js';
import { findUserByTriplet } from './users-repository.js';

export async function validateInscription(ctx: AppContext, draftId: string | undefined, meta: { ip?: string }): Promise<void> {
  await takingEvenTime(() => advance(ctx, draftId, 'confirmation', (tx, d) => createAccount(tx, ctx, d, meta)));
}

async function createAccount(tx: Tx, ctx: AppContext, d: Draft, meta: { ip?: string }) {
  const input = { kind: d.data.kind ?? 'entreprise', organisationType: d.data.organisationType ?? '', domains: d.data.domains ?? [] };
  const chosen = d.data.declarations ?? [];
  const rights = d.data.rights ?? {};
  const done = (userId?: string) => ({
    next: 'done' as const,
    data: { ...d.data, userId, passwordHash: undefined, secretAnswerHash: undefined },
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
  if (created) {
    await grantDeclarations(tx, ctx, espace.id, d.data.siret, userId, chosen, rights);
    await createDeclarants(tx, ctx, espace.id, d.data);
  }
  await audit(tx, ctx.clock, {
    action: created ? 'inscription.completed' : 'inscription.candidat',
    actorUserId: userId,
    espaceId: espace.id,
    ip: meta.ip,
    details: created
      ? { siret: d.data.siret, kind: input.kind, declarations: chosen, rights, declarants: (d.data.declarants ?? []).length }
      : // what the candidat asks for: the administrators decide
        {
          siret: d.data.siret,
          kind: input.kind,
          organisationType: input.organisationType,
          domains: input.domains,
          declarations: chosen,
          rights,
          declarants: (d.data.declarants ?? []).map((p) => `${p.prenom} ${p.nom}`),
        },
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

/** The first administrator's declarations, opened after the access delay, and the rights chosen on them. */
async function grantDeclarations(
  tx: Tx,
  ctx: AppContext,
  espaceId: string,
  siret: string,
  userId: string,
  chosen: string[],
  rights: Record<string, DraftRight>,
) {
  const now = ctx.clock.now();
  const opensAt = accessibleAt(now, ctx.config.ACCESS_DELAY_HOURS);
  for (const code of chosen) {
    const decl = findDeclaration(code)!;
    await tx
      .insert(etablissementDeclarations)
      .values({ espaceId, siret, declarationCode: code, addedAt: now, accessibleAt: opensAt, addedBy: userId });
    const right = rights[code] ?? { declarer: true, payer: decl.payable };
    const payer = right.payer && decl.payable;
    if (!right.declarer && !payer) continue;
    await tx.insert(habilitations).values({
      userId,
      siret,
      declarationCode: code,
      declarer: right.declarer,
      payer,
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
      declarer: right.declarer,
      payer,
    });
  }
}

/**
 * The collaborators of « Inscription des déclarants », as déclarants of the new espace waiting for their
 * invitation: it goes out when the administrator validates their address (inscription-declarants.ts).
 * A name already taken on the SIRET is skipped (the unique index decides).
 */
async function createDeclarants(tx: Tx, ctx: AppContext, espaceId: string, d: DraftData) {
  const now = ctx.clock.now();
  for (const p of d.declarants ?? [])
    await tx
      .insert(users)
      .values({
        espaceId,
        siret: d.siret,
        nom: p.nom,
        prenom: p.prenom,
        loginKey: loginKey(p.nom, p.prenom),
        email: p.email,
        telephone: p.telephone,
        role: 'declarant',
        status: 'email_pending',
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing();
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
