/**
 * What the route files of « Gérer vos portefeuilles » share: the guard (tiers-déclarants only), the
 * notices, the portefeuille or client of the path, and the answers after a change.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ReactElement } from 'react';
import { respond } from '../../../http/respond.js';
import { route, type RouteDoc } from '../../../http/route.js';
import { requireUser } from '../../../http/security.js';
import type { FieldErrors } from '../../../shared/fields.js';
import { problem, type Problem } from '../../../shared/problem.js';
import { CLIENT_NOT_FOUND, findClient, findPortefeuille, PORTEFEUILLE_NOT_FOUND, type Portefeuille } from '../portefeuilles-repository.js';
import { espaceOf } from '../scope.js';
import { param, tags } from './common.js';

export const PORTEFEUILLE_NOTICES = {
  cree: 'Le portefeuille a été ajouté.',
  modifie: 'Le portefeuille a été modifié.',
  declarants: 'Les déclarants du portefeuille ont été enregistrés.',
  declarations: 'Les déclarations du portefeuille ont été enregistrées. Une déclaration ajoutée est accessible 24 heures après son ajout.',
  'entreprise-ajoutee':
    'L’entreprise et ses établissements actifs ont été ajoutés au portefeuille. Ses administrateurs sont prévenus : l’espace « SOLTéA - Etablissements » de ses établissements ne vous sera ouvert qu’une fois votre mandat accepté.',
  etablissements: 'Les établissements de l’entreprise ont été enregistrés.',
  'declarations-entreprise': 'Les déclarations de l’entreprise ont été enregistrées.',
  transferee: 'L’entreprise a été transférée.',
  retiree: 'L’entreprise a été retirée du portefeuille.',
  supprime: 'Le portefeuille a été supprimé.',
};
export type PortefeuilleNotice = keyof typeof PORTEFEUILLE_NOTICES;

const NOT_TIERS = problem(
  'forbidden',
  'reserve_aux_tiers_declarants',
  'Cette page est réservée aux tiers-déclarants (espace « Votre entreprise et vos clients »).',
);

const GUARDS = { admin: requireUser({ admin: true }), user: requireUser() };

/** The administrators' route doc of a file (its changes answer a message, route()'s default). */
export const adminDoc = <E extends object>(extra: E) => ({ access: 'admin' as const, ...extra });

/** route() for the screens of a tiers-déclarant: the guard of the access level, then the espace's kind. */
export function tiersRoute(doc: Omit<RouteDoc, 'tags' | 'access'> & { access: 'admin' | 'user' }) {
  const guard = GUARDS[doc.access];
  return {
    ...route({ ...doc, tags: tags.portefeuilles }),
    preValidation: async (req: FastifyRequest, reply: FastifyReply) => {
      await guard(req, reply);
      if (reply.sent) return reply;
      if ((await espaceOf(req.server.ctx.db, req.auth!.user)).kind !== 'tiers_declarant')
        return respond(req, reply, { problem: NOT_TIERS });
    },
  };
}

/** 404: not a portefeuille (or a client) of the caller's espace. */
export const notFound = (req: FastifyRequest, reply: FastifyReply, p: Problem = PORTEFEUILLE_NOT_FOUND) =>
  respond(req, reply, { problem: p });

/** The caller's portefeuille of the path, or null. */
export const portefeuilleOf = (req: FastifyRequest): Promise<Portefeuille | null> =>
  findPortefeuille(req.server.ctx.db, req.auth!.user.espaceId, param(req, 'id'));

export interface ClientOfPath {
  p: Portefeuille;
  c: { siren: string; raisonSociale: string };
}

/** The caller's portefeuille and its client company of the path, or the problem (404). */
export async function clientOf(req: FastifyRequest): Promise<ClientOfPath | Problem> {
  const p = await portefeuilleOf(req);
  if (!p) return PORTEFEUILLE_NOT_FOUND;
  const c = await findClient(req.server.ctx.db, p.id, param(req, 'siren'));
  return c ? { p, c } : CLIENT_NOT_FOUND;
}

/** A refused change: 404, or the form again with the message beside its field (`formPage`). */
export function failed(
  req: FastifyRequest,
  reply: FastifyReply,
  p: Problem,
  formPage: (errors: FieldErrors) => () => Promise<ReactElement> | ReactElement,
) {
  if (p.kind === 'not_found') return notFound(req, reply, p);
  return respond(req, reply, { problem: p, page: formPage(p.errors ?? {}) });
}

/** After a change: back to `to` with the notice (programs get the message and `extra`). */
export const done = (req: FastifyRequest, reply: FastifyReply, to: string, notice: PortefeuilleNotice, extra: object = {}) =>
  respond(req, reply, { json: { message: PORTEFEUILLE_NOTICES[notice], ...extra }, redirect: to, notice });
