/**
 * « Gérer les déclarants »: an administrator adds a person of the company (a déclarant, invited by mail
 * to choose a password and a secret question), edits, re-sends the invitation and changes the e-mail of
 * a person (the new address is validated by a link). Suspending, reactivating and removing are in
 * declarant-status.ts.
 *
 * Every action is scoped by `personOfEspace(tx, admin.espaceId, id)` inside its transaction: another
 * company's person is « introuvable » and nothing changes. Each is audited and the person is told.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { auditBy } from '../../infra/audit.js';
import type { Tx } from '../../infra/db/index.js';
import { espaces, users } from '../../infra/db/schema.js';
import { queueMail } from '../../infra/mail.js';
import { writeCsv } from '../../shared/csv.js';
import { conflict, invalidField, problem, ProblemError, type Outcome } from '../../shared/problem.js';
import { publicUrl } from '../../shared/urls.js';
import { loginKey } from '../accounts/login-key.js';
import { issueToken } from '../accounts/tokens-repository.js';
import { notify } from '../notifications/notify.js';
import type { DeclarantEdit, DeclarantEmail, NewDeclarant } from './contracts.js';
import { sendInvitation } from './invitation.js';
import { inTransaction } from './outcome.js';
import { personOfEspace, type User } from './scope.js';

export const TRIPLET_TAKEN =
  'Une personne portant ces nom et prénom est déjà inscrite sur ce SIRET : le couple nom et prénom sert à la connexion et doit être unique.';

/** Another company's person, a removed one or a malformed id: the same « introuvable ». */
export const PERSON_NOT_FOUND = problem('not_found', 'personne_introuvable', 'Personne introuvable.');
export const personNotFound = () => new ProblemError(PERSON_NOT_FOUND);
const tripletTakenProblem = () => invalidField('nom', TRIPLET_TAKEN, 'nom_prenom_deja_inscrits').problem;

type Meta = { ip?: string };

/** Is another live person (not `exceptId`) already using this SIRET + nom/prénom? */
async function tripletTaken(tx: Tx, siret: string, key: string, exceptId?: string): Promise<boolean> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(
      and(eq(users.siret, siret), eq(users.loginKey, key), inArray(users.status, ['email_pending', 'active', 'candidat', 'suspended'])),
    );
  return rows.some((r) => r.id !== exceptId);
}

/** The person `id` of the administrator's company, in the transaction, or « introuvable » (thrown). */
export async function personOrThrow(tx: Tx, admin: User, id: string): Promise<User> {
  const p = await personOfEspace(tx, admin.espaceId, id);
  if (!p) throw personNotFound();
  return p;
}

// ── list ────────────────────────────────────────────────────────────────────────────────────────

export type Etat = 'Actif' | 'Invitation envoyée' | 'Suspendu' | 'Demande en attente';
/** The French state of a person's account status (also the operator's support search). */
export const ETATS: Record<string, Etat> = {
  active: 'Actif',
  email_pending: 'Invitation envoyée',
  suspended: 'Suspendu',
  candidat: 'Demande en attente',
};

/** The people of the admin's company, scoped to its espace. */
export async function listDeclarants(ctx: AppContext, admin: User) {
  const rows = await ctx.db
    .select({
      id: users.id,
      nom: users.nom,
      prenom: users.prenom,
      email: users.email,
      telephone: users.telephone,
      role: users.role,
      status: users.status,
    })
    .from(users)
    .where(and(eq(users.espaceId, admin.espaceId), inArray(users.status, ['active', 'email_pending', 'candidat', 'suspended'])))
    .orderBy(asc(users.nom), asc(users.prenom));
  return rows.map((r) => ({ ...r, etat: ETATS[r.status] ?? r.status, self: r.id === admin.id }));
}

/** « Gérer les déclarants » as a spreadsheet file (`;`, BOM, formulas neutralised), in the page's order. */
export function declarantsCsv(rows: Awaited<ReturnType<typeof listDeclarants>>): string {
  return writeCsv(
    ['nom', 'prenom', 'courriel', 'telephone', 'role', 'etat'],
    rows.map((r) => [r.nom, r.prenom, r.email, r.telephone, r.role === 'administrateur' ? 'Administrateur' : 'Déclarant', r.etat]),
  );
}

/** One person of the admin's company (for the edit, e-mail and confirmation pages), or null. */
export async function findDeclarant(ctx: AppContext, admin: User, id: string) {
  return personOfEspace(ctx.db, admin.espaceId, id);
}

// ── add, invitation ─────────────────────────────────────────────────────────────────────────────

export async function addDeclarant(ctx: AppContext, admin: User, input: NewDeclarant, meta: Meta): Promise<Outcome<{ userId: string }>> {
  return inTransaction<{ userId: string }>(
    ctx,
    async (tx) => {
      const [espace] = await tx.select().from(espaces).where(eq(espaces.id, admin.espaceId));
      if (!espace) throw new Error(`espace ${admin.espaceId} introuvable`);
      const key = loginKey(input.nom, input.prenom);
      if (await tripletTaken(tx, espace.siret, key)) return { ok: false, problem: tripletTakenProblem() };
      const now = ctx.clock.now();
      const [row] = await tx
        .insert(users)
        .values({
          espaceId: espace.id,
          siret: espace.siret,
          nom: input.nom,
          prenom: input.prenom,
          loginKey: key,
          email: input.email,
          telephone: input.telephone,
          role: 'declarant',
          status: 'email_pending',
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      await sendInvitation(tx, ctx, admin, row!);
      await auditBy(tx, ctx.clock, admin, meta.ip, 'declarant.added', { targetUserId: row!.id });
      return { ok: true, userId: row!.id };
    },
    tripletTakenProblem,
  );
}

/** Re-sends the invitation of a person who has not chosen a password yet (the earlier link stops working). */
export async function resendInvitation(ctx: AppContext, admin: User, id: string, meta: Meta): Promise<Outcome> {
  return inTransaction(ctx, async (tx) => {
    const p = await personOrThrow(tx, admin, id);
    if (p.status !== 'email_pending' || p.passwordHash)
      return conflict('Cette personne a déjà choisi son mot de passe : il n’y a pas d’invitation à renvoyer.', 'invitation_deja_acceptee');
    await sendInvitation(tx, ctx, admin, p);
    await auditBy(tx, ctx.clock, admin, meta.ip, 'declarant.added', { targetUserId: p.id, details: { resent: true } });
    return { ok: true };
  });
}

// ── edit ────────────────────────────────────────────────────────────────────────────────────────

const LABELS = { nom: 'nom', prenom: 'prénom', telephone: 'téléphone' } as const;

export async function updateDeclarant(ctx: AppContext, admin: User, id: string, input: DeclarantEdit, meta: Meta): Promise<Outcome> {
  return inTransaction(
    ctx,
    async (tx) => {
      const p = await personOrThrow(tx, admin, id);
      const key = loginKey(input.nom, input.prenom);
      if (key !== p.loginKey && (await tripletTaken(tx, p.siret, key, p.id))) return { ok: false, problem: tripletTakenProblem() };
      const changed = (['nom', 'prenom', 'telephone'] as const).filter((f) => p[f] !== input[f]);
      if (changed.length === 0) return { ok: true };
      await tx
        .update(users)
        .set({ nom: input.nom, prenom: input.prenom, telephone: input.telephone, loginKey: key, updatedAt: ctx.clock.now() })
        .where(and(eq(users.id, p.id), eq(users.espaceId, admin.espaceId)));
      await auditBy(tx, ctx.clock, admin, meta.ip, 'declarant.updated', { targetUserId: p.id, details: { fields: changed } });
      if (p.id !== admin.id) await tellUpdated(tx, ctx, admin, p, input, changed, key !== p.loginKey);
      return { ok: true };
    },
    tripletTakenProblem,
  );
}

/** The person is told what changed, and how to log in from now on when their names changed. */
async function tellUpdated(
  tx: Tx,
  ctx: AppContext,
  admin: User,
  p: User,
  input: DeclarantEdit,
  changed: readonly (keyof typeof LABELS)[],
  newLogin: boolean,
) {
  const login = newLogin ? ` Pour vous connecter, saisissez désormais le nom « ${input.nom} » et le prénom « ${input.prenom} ».` : '';
  await notify(
    tx,
    ctx,
    [p.id],
    `${admin.prenom} ${admin.nom}, administrateur de votre entreprise, a modifié vos informations (${changed.map((f) => LABELS[f]).join(', ')}).${login}`,
    { subject: 'Vos informations ont été modifiées' },
  );
}

// ── e-mail ──────────────────────────────────────────────────────────────────────────────────────

/**
 * Another administrator's address is theirs to change (« Informations personnelles »): an administrator
 * who could set it would receive that person's reset links and temporary passwords, and take over the
 * account. An administrator changes the address of déclarants only, and their own.
 */
export const ADMINISTRATOR_EMAIL_REFUSED = problem(
  'forbidden',
  'administrateur_protege',
  'Vous ne pouvez pas changer l’adresse électronique d’un autre administrateur : lui seul peut la modifier, depuis ses informations personnelles.',
);

/** Null when `admin` may change the address of `p`, else the refusal. */
export const emailChangeRefusal = (admin: User, p: Pick<User, 'id' | 'role'>) =>
  p.role === 'administrateur' && p.id !== admin.id ? ADMINISTRATOR_EMAIL_REFUSED : null;

/**
 * A new address for a person. It replaces the old one only once validated through the link sent to
 * it (the /validation-courriel flow); a person still invited simply gets the invitation at the new
 * address (choosing the password through it validates the address). Another administrator's address
 * is refused (403), nothing changed.
 */
export async function changeDeclarantEmail(ctx: AppContext, admin: User, id: string, input: DeclarantEmail, meta: Meta): Promise<Outcome> {
  return inTransaction(ctx, async (tx) => {
    const p = await personOrThrow(tx, admin, id);
    const refused = emailChangeRefusal(admin, p);
    if (refused) return { ok: false, problem: refused };
    if (input.email.toLowerCase() === p.email.toLowerCase())
      return invalidField('email', 'C’est déjà l’adresse électronique de cette personne.', 'meme_courriel');
    if (p.status === 'email_pending' && !p.passwordHash) {
      await tx
        .update(users)
        .set({ email: input.email, updatedAt: ctx.clock.now() })
        .where(and(eq(users.id, p.id), eq(users.espaceId, admin.espaceId)));
      await sendInvitation(tx, ctx, admin, { ...p, email: input.email });
    } else await sendEmailValidation(tx, ctx, admin, p, input.email);
    await auditBy(tx, ctx.clock, admin, meta.ip, 'declarant.email_change', {
      targetUserId: p.id,
      details: { invitation: p.status === 'email_pending' },
    });
    return { ok: true };
  });
}

/** The validation link to the new address, and a word to the old one. */
async function sendEmailValidation(tx: Tx, ctx: AppContext, admin: User, p: User, email: string) {
  const token = await issueToken(tx, ctx, p.id, 'email_change', { email });
  await queueMail(tx, ctx.clock, {
    to: email,
    subject: 'Validation de votre adresse électronique',
    text: `Bonjour ${p.prenom} ${p.nom},\n\n${admin.prenom} ${admin.nom}, administrateur de votre entreprise, a indiqué cette adresse pour votre compte net-entreprises. Validez-la en ouvrant ce lien (valable 48 heures, utilisable une seule fois) :\n\n${publicUrl(ctx, `/validation-courriel?jeton=${token}`)}\n\nTant qu’elle n’est pas validée, votre ancienne adresse reste utilisée.\n\nnet-entreprises`,
  });
  await queueMail(tx, ctx.clock, {
    to: p.email,
    subject: 'Changement d’adresse électronique demandé',
    text: `Bonjour ${p.prenom} ${p.nom},\n\n${admin.prenom} ${admin.nom}, administrateur de votre entreprise, a demandé le changement de l’adresse électronique de votre compte net-entreprises. Il prendra effet quand la nouvelle adresse aura été validée.\n\nnet-entreprises`,
  });
}
