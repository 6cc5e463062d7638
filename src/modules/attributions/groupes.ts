/**
 * « Mes groupes »: a company with several SIRETs groups some of them
 * for a campaign under a « SIRET de référence »; the reference's choices are copied to every member,
 * each on its own crédits à répartir (choix.ts does the copy in the same transaction as every change).
 *
 * Rules: the members are SIRETs of the reference's company (same SIREN) that the person may act for;
 * each has an envelope for the campaign; a SIRET belongs to one group per campaign (primary key); a
 * group is made or changed only when the members' choices may change (calendar, lock). On creation the
 * members take the reference's current choices at once. Deleting a group leaves each member with the
 * choices it had, which it may then change on its own.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { audit } from '../../infra/audit.js';
import type { Db, Tx } from '../../infra/db/index.js';
import { enveloppes, groupeMembres, groupes } from '../../infra/db/schema.js';
import { failure, ProblemError, type Failure } from '../../shared/problem.js';
import { changeChoices, linesOf, type Actor } from './choix.js';

export interface Groupe {
  id: number;
  nom: string;
  reference: string;
  membres: string[];
}

export const GROUP_NAME_MAX = 80;

/** The groups of the campaign whose reference SIRET is of company `siren`. */
export async function groupsOf(db: Db | Tx, annee: number, siren: string): Promise<Groupe[]> {
  const gs = await db
    .select()
    .from(groupes)
    .where(and(eq(groupes.annee, annee), eq(groupes.siren, siren)))
    .orderBy(asc(groupes.nom), asc(groupes.id));
  if (gs.length === 0) return [];
  const ms = await db
    .select()
    .from(groupeMembres)
    .where(
      inArray(
        groupeMembres.groupeId,
        gs.map((g) => g.id),
      ),
    )
    .orderBy(asc(groupeMembres.siret));
  return gs.map((g) => ({
    id: g.id,
    nom: g.nom,
    reference: g.siretReference,
    membres: ms.filter((m) => m.groupeId === g.id && m.siret !== g.siretReference).map((m) => m.siret),
  }));
}

export type GroupResult = { ok: true; id: number } | Failure;

/** What a refused group says to programs; the form shows the message of each field. */
export const GROUP_NOT_CREATED = 'Le groupe n’a pas été créé.';

const notCreated = (code: string, errors: Record<string, string>): Failure => failure('invalid', code, GROUP_NOT_CREATED, { errors });

/** Pure: the form's own rules (name, reference, members of the same company among `allowed`). */
function groupFormErrors(input: { nom: string; reference: string; membres: string[] }, allowed: ReadonlySet<string>) {
  const errors: Record<string, string> = {};
  const nom = input.nom.trim().replace(/\s+/g, ' ');
  if (!nom) errors.nom = 'Donnez un nom au groupe.';
  else if (nom.length > GROUP_NAME_MAX) errors.nom = `Le nom du groupe ne doit pas dépasser ${GROUP_NAME_MAX} caractères.`;
  if (!allowed.has(input.reference))
    errors.reference = 'Choisissez le SIRET de référence parmi les établissements pour lesquels vous agissez.';
  const membres = [...new Set(input.membres)].filter((m) => m !== input.reference);
  if (membres.length === 0) errors.membres = 'Choisissez au moins un autre SIRET de votre entreprise pour former le groupe.';
  else if (membres.some((m) => !allowed.has(m)))
    errors.membres = 'Un SIRET choisi ne fait pas partie des établissements pour lesquels vous agissez.';
  else if (allowed.has(input.reference) && membres.some((m) => m.slice(0, 9) !== input.reference.slice(0, 9)))
    errors.membres = 'Un groupe réunit des SIRET d’une même entreprise (même SIREN) que le SIRET de référence.';
  return { nom, membres, errors };
}

/**
 * Creates a group: `allowed` are the SIRETs the person may act for (scope.ts). All or nothing: the
 * group, its members and the copy of the reference's choices.
 */
export async function createGroup(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  actor: Actor,
  annee: number,
  input: { nom: string; reference: string; membres: string[] },
  allowed: ReadonlySet<string>,
): Promise<GroupResult> {
  const { nom, membres, errors } = groupFormErrors(input, allowed);
  if (Object.keys(errors).length) return notCreated('formulaire_invalide', errors);
  const all = [input.reference, ...membres];
  try {
    const id = await ctx.db.transaction(async (tx: Tx) => {
      await checkAvailable(tx, annee, all);
      const [g] = await tx
        .insert(groupes)
        .values({
          annee,
          siren: input.reference.slice(0, 9),
          nom,
          siretReference: input.reference,
          createdAt: ctx.clock.now(),
          createdBy: actor.userId,
        })
        .returning({ id: groupes.id });
      await tx.insert(groupeMembres).values(all.map((siret) => ({ groupeId: g!.id, annee, siret })));
      await copyReferenceChoices(ctx, tx, actor, annee, input.reference);
      await audit(tx, ctx.clock, {
        action: 'groupe.created',
        actorUserId: actor.userId,
        espaceId: actor.espaceId,
        ip: actor.ip ?? null,
        details: { annee, nom, reference: input.reference, membres },
      });
      return g!.id;
    });
    return { ok: true, id };
  } catch (e) {
    if (e instanceof ProblemError) return { ok: false, problem: e.problem };
    throw e;
  }
}

/** Every SIRET of the group is in no other group of the campaign and has an envelope; else the group is rolled back. */
async function checkAvailable(tx: Tx, annee: number, all: string[]) {
  const taken = await tx
    .select({ siret: groupeMembres.siret })
    .from(groupeMembres)
    .where(and(eq(groupeMembres.annee, annee), inArray(groupeMembres.siret, all)));
  if (taken.length)
    throw rollback('deja_groupe', `Le SIRET ${taken.map((t) => t.siret).join(', ')} fait déjà partie d’un groupe pour cette campagne.`);
  const envs = await tx
    .select({ siret: enveloppes.siret })
    .from(enveloppes)
    .where(and(eq(enveloppes.annee, annee), inArray(enveloppes.siret, all)));
  const without = all.filter((s) => !envs.some((e) => e.siret === s));
  if (without.length)
    throw rollback(
      'sans_enveloppe',
      `Aucun solde n’est à répartir pour le SIRET ${without.join(', ')} pour la campagne ${annee} : il ne peut pas faire partie d’un groupe.`,
    );
}

/** The members take the reference's current choices (through the write path, which copies them to the group). */
async function copyReferenceChoices(ctx: Pick<AppContext, 'db' | 'clock'>, tx: Tx, actor: Actor, annee: number, reference: string) {
  const current = await linesOf(tx, annee, reference);
  const r = await changeChoices(
    ctx,
    {
      annee,
      siret: reference,
      actor,
      expectedVersion: null,
      change: {
        kind: 'remplacer',
        items: current.map((c) => ({ target: { etablissementId: c.etablissementId, formationId: c.formationId }, bp: c.pointsBase })),
        valider: current.length > 0 && current.every((c) => c.statut === 'validee'),
      },
      source: 'groupe',
    },
    tx,
  );
  if (!r.ok) throw rollback(r.problem.code, r.errors.map((x) => x.message).join(' '));
}

/** A refusal that rolls the group back; the form shows it above the fields. */
const rollback = (code: string, message: string) => new ProblemError(notCreated(code, { _form: message }).problem);

/** Deletes a group whose reference the person may act for; the members keep their current choices. */
export async function deleteGroup(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  actor: Actor,
  annee: number,
  id: number,
  allowed: ReadonlySet<string>,
): Promise<boolean> {
  return ctx.db.transaction(async (tx: Tx) => {
    const [g] = await tx
      .select()
      .from(groupes)
      .where(and(eq(groupes.id, id), eq(groupes.annee, annee)));
    if (!g || !allowed.has(g.siretReference)) return false;
    await tx.delete(groupeMembres).where(eq(groupeMembres.groupeId, id));
    await tx.delete(groupes).where(eq(groupes.id, id));
    await audit(tx, ctx.clock, {
      action: 'groupe.deleted',
      actorUserId: actor.userId,
      espaceId: actor.espaceId,
      ip: actor.ip ?? null,
      details: { annee, nom: g.nom, reference: g.siretReference },
    });
    return true;
  });
}
