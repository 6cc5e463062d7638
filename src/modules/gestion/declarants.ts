/**
 * « Gérer les déclarants » (PRODUCT.md §3.4): an administrator adds a person of the company (a
 * déclarant, invited by mail to choose a password and a secret question), edits, suspends (their
 * sessions end at once), reactivates, removes (their habilitations go, with history rows) and changes
 * the e-mail of a person (the new address is validated by a link).
 *
 * Every action is scoped by `personOfEspace(tx, admin.espaceId, id)` inside its transaction: another
 * company's person is « not found » and nothing changes. Each is audited and the person is told.
 */
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { audit } from '../../infra/audit.js';
import { hashSecret } from '../../infra/crypto.js';
import type { Tx } from '../../infra/db/index.js';
import {
  espaces,
  habilitationHistory,
  habilitations,
  portefeuilleDeclarants,
  portefeuilles,
  tokens,
  users,
} from '../../infra/db/schema.js';
import { queueMail } from '../../infra/mail.js';
import { email, personName, phone, text } from '../../shared/fields.js';
import { loginKey } from '../accounts/login-key.js';
import { revokeAllSessions } from '../accounts/sessions.js';
import { consumeToken, issueToken, peekToken } from '../accounts/tokens-repository.js';
import { publicUrl } from '../../shared/urls.js';
import { listAdministrators } from '../accounts/users-repository.js';
import { notify } from '../notifications/notify.js';
import { personOfEspace, type User } from './scope.js';

// ── contracts ───────────────────────────────────────────────────────────────────────────────────

const emailPair = {
  email: email('Le courriel').refine((s) => s.length > 0, 'Le courriel est obligatoire.'),
  emailConfirm: text('La confirmation du courriel', 254),
};
const emailsMatch = (v: { email: string; emailConfirm: string }, ctx: z.RefinementCtx) => {
  if (v.email && v.emailConfirm && v.email.toLowerCase() !== v.emailConfirm.toLowerCase())
    ctx.addIssue({ code: 'custom', path: ['emailConfirm'], message: 'La confirmation du courriel ne correspond pas au courriel saisi.' });
};

/** « Nouveau déclarant »: Nom*, Prénom*, Courriel*, Confirmation courriel*, Téléphone*. */
export const newDeclarantSchema = z
  .object({ nom: personName('Le nom'), prenom: personName('Le prénom'), ...emailPair, telephone: phone('Le téléphone') })
  .superRefine(emailsMatch);

/** « Modifier »: Nom*, Prénom*, Téléphone* (the e-mail has its own validated change). */
export const editDeclarantSchema = z.object({
  nom: personName('Le nom'),
  prenom: personName('Le prénom'),
  telephone: phone('Le téléphone'),
});

/** « Changer le courriel »: the new address and its confirmation. */
export const declarantEmailSchema = z.object(emailPair).superRefine(emailsMatch);

// ── results ─────────────────────────────────────────────────────────────────────────────────────

export type ActionResult =
  | { ok: true }
  | { ok: false; code: 'not_found' }
  | { ok: false; code: 'refused'; message: string }
  | { ok: false; code: 'invalid'; field: string; message: string };

const NOT_FOUND = { ok: false, code: 'not_found' } as const;
const refused = (message: string) => ({ ok: false, code: 'refused', message }) as const;
const invalid = (field: string, message: string) => ({ ok: false, code: 'invalid', field, message }) as const;

export const TRIPLET_TAKEN =
  'Une personne portant ces nom et prénom est déjà inscrite sur ce SIRET : le couple nom et prénom sert à la connexion et doit être unique.';

/** A unique index refused the row (two concurrent additions of the same triplet): PostgreSQL 23505. */
function isUniqueViolation(e: unknown): boolean {
  for (let x: unknown = e, i = 0; x && i < 4; x = (x as { cause?: unknown }).cause, i++)
    if ((x as { code?: unknown }).code === '23505') return true;
  return false;
}

/** Thrown inside a transaction to roll it back and answer a French message. */
class Refusal extends Error {
  constructor(readonly result: Exclude<ActionResult, { ok: true }>) {
    super('refusal');
  }
}

async function run<T extends ActionResult | AddResult>(ctx: AppContext, work: (tx: Tx) => Promise<T>, onUnique?: () => T): Promise<T> {
  try {
    return await ctx.db.transaction(work);
  } catch (e) {
    if (e instanceof Refusal) return e.result as T;
    if (onUnique && isUniqueViolation(e)) return onUnique();
    throw e;
  }
}

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

// ── list ────────────────────────────────────────────────────────────────────────────────────────

export type Etat = 'Actif' | 'Invitation envoyée' | 'Suspendu' | 'Demande en attente';
const ETATS: Record<string, Etat> = {
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

/** One person of the admin's company (for the edit, e-mail and confirmation pages), or null. */
export async function findDeclarant(ctx: AppContext, admin: User, id: string) {
  return personOfEspace(ctx.db, admin.espaceId, id);
}

// ── add and invitation ──────────────────────────────────────────────────────────────────────────

export type AddResult = { ok: true; userId: string } | { ok: false; code: 'invalid'; field: string; message: string };

function invitationMail(ctx: AppContext, p: { prenom: string; nom: string }, admin: User, siret: string, token: string) {
  return [
    `Bonjour ${p.prenom} ${p.nom},`,
    '',
    `Vous avez été ajouté comme déclarant sur net-entreprises par ${admin.prenom} ${admin.nom}, administrateur de votre entreprise.`,
    '',
    'Pour accéder à vos services, choisissez votre mot de passe et votre question secrète en ouvrant ce lien (valable 48 heures, utilisable une seule fois) :',
    '',
    publicUrl(ctx, `/invitation?jeton=${token}`),
    '',
    `Vous vous connecterez ensuite avec le SIRET ${siret}, votre nom, votre prénom et ce mot de passe.`,
    '',
    'Si vous ne connaissez pas cette entreprise, ignorez ce message.',
    '',
    'net-entreprises',
  ].join('\n');
}
export const INVITATION_SUBJECT = 'Vous avez été ajouté comme déclarant sur net-entreprises';

async function sendInvitation(
  tx: Tx,
  ctx: AppContext,
  admin: User,
  p: { id: string; prenom: string; nom: string; email: string; siret: string },
) {
  const token = await issueToken(tx, ctx, p.id, 'invitation');
  await queueMail(tx, ctx.clock, { to: p.email, subject: INVITATION_SUBJECT, text: invitationMail(ctx, p, admin, p.siret, token) });
}

export async function addDeclarant(
  ctx: AppContext,
  admin: User,
  input: z.infer<typeof newDeclarantSchema>,
  meta: { ip?: string },
): Promise<AddResult> {
  const taken = () => invalid('nom', TRIPLET_TAKEN);
  return run<AddResult>(
    ctx,
    async (tx) => {
      const [espace] = await tx.select().from(espaces).where(eq(espaces.id, admin.espaceId));
      if (!espace) throw new Error(`espace ${admin.espaceId} introuvable`);
      const key = loginKey(input.nom, input.prenom);
      if (await tripletTaken(tx, espace.siret, key)) return taken();
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
      await audit(tx, ctx.clock, {
        action: 'declarant.added',
        actorUserId: admin.id,
        espaceId: admin.espaceId,
        targetUserId: row!.id,
        ip: meta.ip,
      });
      return { ok: true, userId: row!.id };
    },
    taken,
  );
}

/** Re-sends the invitation of a person who has not chosen a password yet (the earlier link stops working). */
export async function resendInvitation(ctx: AppContext, admin: User, id: string, meta: { ip?: string }): Promise<ActionResult> {
  return run(ctx, async (tx) => {
    const p = await personOfEspace(tx, admin.espaceId, id);
    if (!p) return NOT_FOUND;
    if (p.status !== 'email_pending' || p.passwordHash)
      return refused('Cette personne a déjà choisi son mot de passe : il n’y a pas d’invitation à renvoyer.');
    await sendInvitation(tx, ctx, admin, p);
    await audit(tx, ctx.clock, {
      action: 'declarant.added',
      actorUserId: admin.id,
      espaceId: admin.espaceId,
      targetUserId: p.id,
      ip: meta.ip,
      details: { resent: true },
    });
    return { ok: true };
  });
}

/** The invited person behind a live invitation link (to show the page and apply the password rules). */
export async function invitedPerson(ctx: AppContext, token: string | undefined) {
  const t = await peekToken(ctx.db, ctx, token, 'invitation');
  if (!t) return null;
  const [u] = await ctx.db
    .select()
    .from(users)
    .where(and(eq(users.id, t.userId), eq(users.status, 'email_pending')));
  return u ?? null;
}

/** « Choisissez votre mot de passe »: consumes the invitation; the person becomes active. */
export async function acceptInvitation(
  ctx: AppContext,
  token: string | undefined,
  input: { password: string; secretQuestion: string; secretAnswer: string },
  meta: { ip?: string },
): Promise<boolean> {
  const [passwordHash, secretAnswerHash] = await Promise.all([hashSecret(input.password), hashSecret(input.secretAnswer)]);
  return ctx.db.transaction(async (tx) => {
    const t = await consumeToken(tx, ctx, token, 'invitation');
    if (!t) return false;
    const now = ctx.clock.now();
    const [u] = await tx
      .update(users)
      .set({
        passwordHash,
        secretQuestion: input.secretQuestion,
        secretAnswerHash,
        status: 'active',
        emailValidatedAt: now,
        mustChangeCredentials: false,
        updatedAt: now,
      })
      .where(and(eq(users.id, t.userId), eq(users.status, 'email_pending')))
      .returning();
    if (!u) return false;
    await audit(tx, ctx.clock, { action: 'invitation.accepted', actorUserId: u.id, espaceId: u.espaceId, ip: meta.ip });
    const admins = await listAdministrators(tx, u.espaceId);
    await notify(
      tx,
      ctx,
      admins.map((a) => a.id),
      `${u.prenom} ${u.nom} a accepté son invitation : son compte de déclarant est actif.`,
    );
    return true;
  });
}

// ── edit ────────────────────────────────────────────────────────────────────────────────────────

export async function updateDeclarant(
  ctx: AppContext,
  admin: User,
  id: string,
  input: z.infer<typeof editDeclarantSchema>,
  meta: { ip?: string },
): Promise<ActionResult> {
  const taken = () => invalid('nom', TRIPLET_TAKEN);
  return run<ActionResult>(
    ctx,
    async (tx) => {
      const p = await personOfEspace(tx, admin.espaceId, id);
      if (!p) return NOT_FOUND;
      const key = loginKey(input.nom, input.prenom);
      if (key !== p.loginKey && (await tripletTaken(tx, p.siret, key, p.id))) return taken();
      const changed = (['nom', 'prenom', 'telephone'] as const).filter((f) => p[f] !== input[f]);
      if (changed.length === 0) return { ok: true };
      await tx
        .update(users)
        .set({ nom: input.nom, prenom: input.prenom, telephone: input.telephone, loginKey: key, updatedAt: ctx.clock.now() })
        .where(and(eq(users.id, p.id), eq(users.espaceId, admin.espaceId)));
      await audit(tx, ctx.clock, {
        action: 'declarant.updated',
        actorUserId: admin.id,
        espaceId: admin.espaceId,
        targetUserId: p.id,
        ip: meta.ip,
        details: { fields: changed },
      });
      if (p.id !== admin.id) {
        const login =
          key !== p.loginKey ? ` Pour vous connecter, saisissez désormais le nom « ${input.nom} » et le prénom « ${input.prenom} ».` : '';
        await notify(
          tx,
          ctx,
          [p.id],
          `${admin.prenom} ${admin.nom}, administrateur de votre entreprise, a modifié vos informations (${changed.map((f) => LABELS[f]).join(', ')}).${login}`,
          {
            subject: 'Vos informations ont été modifiées',
          },
        );
      }
      return { ok: true };
    },
    taken,
  );
}
const LABELS = { nom: 'nom', prenom: 'prénom', telephone: 'téléphone' } as const;

// ── suspend, reactivate, remove ─────────────────────────────────────────────────────────────────

/**
 * Locks the company's active administrators (so that two administrators suspending each other at
 * the same time cannot leave the company without one) and refuses to act on oneself or on the last
 * active administrator.
 */
async function guardAdministrators(tx: Tx, admin: User, target: User, verb: string): Promise<void> {
  if (target.id === admin.id) throw new Refusal(refused(`Vous ne pouvez pas ${verb} votre propre compte.`));
  const rows = await tx.execute(
    sql`select id from ${users} where espace_id = ${admin.espaceId} and role = 'administrateur' and status = 'active' order by id for update`,
  );
  const active = ((rows as unknown as { rows?: { id: string }[] }).rows ?? []).map((r) => r.id);
  if (!active.includes(admin.id)) throw new Refusal(NOT_FOUND);
  if (target.role === 'administrateur' && target.status === 'active' && active.filter((x) => x !== target.id).length === 0)
    throw new Refusal(refused(`Vous ne pouvez pas ${verb} le dernier administrateur actif de l’entreprise.`));
}

export async function suspendDeclarant(ctx: AppContext, admin: User, id: string, meta: { ip?: string }): Promise<ActionResult> {
  return run(ctx, async (tx) => {
    const p = await personOfEspace(tx, admin.espaceId, id);
    if (!p) return NOT_FOUND;
    await guardAdministrators(tx, admin, p, 'suspendre');
    if (p.status === 'suspended') return refused(`${p.prenom} ${p.nom} est déjà suspendu.`);
    // Told before the status changes: notify() mails active people only.
    await notify(
      tx,
      ctx,
      [p.id],
      `Votre compte net-entreprises a été suspendu par ${admin.prenom} ${admin.nom}, administrateur de votre entreprise. Adressez-vous à lui pour le faire réactiver.`,
      {
        subject: 'Votre compte net-entreprises est suspendu',
      },
    );
    await tx
      .update(users)
      .set({ status: 'suspended', updatedAt: ctx.clock.now() })
      .where(and(eq(users.id, p.id), eq(users.espaceId, admin.espaceId)));
    await revokeAllSessions(tx, ctx, p.id);
    await audit(tx, ctx.clock, {
      action: 'declarant.suspended',
      actorUserId: admin.id,
      espaceId: admin.espaceId,
      targetUserId: p.id,
      ip: meta.ip,
    });
    return { ok: true };
  });
}

export async function reactivateDeclarant(ctx: AppContext, admin: User, id: string, meta: { ip?: string }): Promise<ActionResult> {
  return run(ctx, async (tx) => {
    const p = await personOfEspace(tx, admin.espaceId, id);
    if (!p) return NOT_FOUND;
    if (p.status !== 'suspended') return refused(`${p.prenom} ${p.nom} n’est pas suspendu.`);
    // A person suspended before accepting the invitation goes back to « Invitation envoyée ».
    const status = p.passwordHash ? 'active' : 'email_pending';
    await tx
      .update(users)
      .set({ status, updatedAt: ctx.clock.now() })
      .where(and(eq(users.id, p.id), eq(users.espaceId, admin.espaceId)));
    await audit(tx, ctx.clock, {
      action: 'declarant.reactivated',
      actorUserId: admin.id,
      espaceId: admin.espaceId,
      targetUserId: p.id,
      ip: meta.ip,
    });
    await notify(
      tx,
      ctx,
      [p.id],
      `Votre compte net-entreprises a été réactivé par ${admin.prenom} ${admin.nom}, administrateur de votre entreprise.`,
      { subject: 'Votre compte net-entreprises est réactivé' },
    );
    return { ok: true };
  });
}

export async function removeDeclarant(ctx: AppContext, admin: User, id: string, meta: { ip?: string }): Promise<ActionResult> {
  return run(ctx, async (tx) => {
    const p = await personOfEspace(tx, admin.espaceId, id);
    if (!p) return NOT_FOUND;
    await guardAdministrators(tx, admin, p, 'supprimer');
    const now = ctx.clock.now();
    if (p.status === 'active')
      await queueMail(tx, ctx.clock, {
        to: p.email,
        subject: 'Votre compte net-entreprises est supprimé',
        text: `Bonjour ${p.prenom} ${p.nom},\n\n${admin.prenom} ${admin.nom}, administrateur de votre entreprise, a supprimé votre compte net-entreprises : vous ne pouvez plus vous connecter pour cette entreprise.\n\nnet-entreprises`,
      });
    await tx
      .update(users)
      .set({ status: 'removed', updatedAt: now })
      .where(and(eq(users.id, p.id), eq(users.espaceId, admin.espaceId)));
    await revokeAllSessions(tx, ctx, p.id);
    // Links already mailed (invitation, e-mail change, reset) stop working.
    await tx
      .update(tokens)
      .set({ usedAt: now })
      .where(and(eq(tokens.userId, p.id), isNull(tokens.usedAt)));
    const removed = await tx.delete(habilitations).where(eq(habilitations.userId, p.id)).returning();
    if (removed.length)
      await tx.insert(habilitationHistory).values(
        removed.map((r) => ({
          at: now,
          espaceId: admin.espaceId,
          actorUserId: admin.id,
          userId: p.id,
          siret: r.siret,
          declarationCode: r.declarationCode,
          declarer: false,
          payer: false,
        })),
      );
    const own = tx.select({ id: portefeuilles.id }).from(portefeuilles).where(eq(portefeuilles.espaceId, admin.espaceId));
    await tx
      .delete(portefeuilleDeclarants)
      .where(and(eq(portefeuilleDeclarants.userId, p.id), inArray(portefeuilleDeclarants.portefeuilleId, own)));
    await audit(tx, ctx.clock, {
      action: 'declarant.removed',
      actorUserId: admin.id,
      espaceId: admin.espaceId,
      targetUserId: p.id,
      ip: meta.ip,
      details: { habilitations: removed.length },
    });
    return { ok: true };
  });
}

// ── e-mail ──────────────────────────────────────────────────────────────────────────────────────

/**
 * A new address for a person. It replaces the old one only once validated through the link sent to
 * it (the /validation-courriel flow); a person still invited simply gets the invitation at the new
 * address (choosing the password through it validates the address).
 */
export async function changeDeclarantEmail(
  ctx: AppContext,
  admin: User,
  id: string,
  input: z.infer<typeof declarantEmailSchema>,
  meta: { ip?: string },
): Promise<ActionResult> {
  return run(ctx, async (tx) => {
    const p = await personOfEspace(tx, admin.espaceId, id);
    if (!p) return NOT_FOUND;
    if (input.email.toLowerCase() === p.email.toLowerCase())
      return invalid('email', 'C’est déjà l’adresse électronique de cette personne.');
    if (p.status === 'email_pending' && !p.passwordHash) {
      await tx
        .update(users)
        .set({ email: input.email, updatedAt: ctx.clock.now() })
        .where(and(eq(users.id, p.id), eq(users.espaceId, admin.espaceId)));
      await sendInvitation(tx, ctx, admin, { ...p, email: input.email });
    } else {
      const token = await issueToken(tx, ctx, p.id, 'email_change', { email: input.email });
      await queueMail(tx, ctx.clock, {
        to: input.email,
        subject: 'Validation de votre adresse électronique',
        text: `Bonjour ${p.prenom} ${p.nom},\n\n${admin.prenom} ${admin.nom}, administrateur de votre entreprise, a indiqué cette adresse pour votre compte net-entreprises. Validez-la en ouvrant ce lien (valable 48 heures, utilisable une seule fois) :\n\n${publicUrl(ctx, `/validation-courriel?jeton=${token}`)}\n\nTant qu’elle n’est pas validée, votre ancienne adresse reste utilisée.\n\nnet-entreprises`,
      });
      await queueMail(tx, ctx.clock, {
        to: p.email,
        subject: 'Changement d’adresse électronique demandé',
        text: `Bonjour ${p.prenom} ${p.nom},\n\n${admin.prenom} ${admin.nom}, administrateur de votre entreprise, a demandé le changement de l’adresse électronique de votre compte net-entreprises. Il prendra effet quand la nouvelle adresse aura été validée.\n\nnet-entreprises`,
      });
    }
    await audit(tx, ctx.clock, {
      action: 'declarant.email_change',
      actorUserId: admin.id,
      espaceId: admin.espaceId,
      targetUserId: p.id,
      ip: meta.ip,
      details: { invitation: p.status === 'email_pending' },
    });
    return { ok: true };
  });
}
