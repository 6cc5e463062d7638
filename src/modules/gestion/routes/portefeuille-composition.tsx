/**
 * « Composition du portefeuille »: its client companies (pages), « Ajouter une entreprise » by SIREN,
 * « Transférer » a company to another portefeuille and « Retirer » it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond, readForm } from '../../../http/respond.js';
import { browserPage } from '../../../http/route.js';
import { messageResponse, parseBody, type FieldErrors } from '../../../shared/fields.js';
import { invalidForm } from '../../../shared/problem.js';
import { CompositionPage, TransferPage } from '../../../web/pages/portefeuille-composition.js';
import { clientParams, pageQuery, portefeuilleParams, sirenSchema, transferSchema } from '../contracts.js';
import { attempt } from '../outcome.js';
import { addClient, listClients, removeClient, transferClient } from '../portefeuilles-clients.js';
import type { Portefeuille } from '../portefeuilles-repository.js';
import { portefeuilleNames } from '../portefeuilles.js';
import { created, meta, noticeOf, pageOf } from './common.js';
import {
  clientOf,
  done,
  failed,
  notFound,
  PORTEFEUILLE_NOTICES,
  portefeuilleOf,
  adminDoc,
  tiersRoute,
  type ClientOfPath,
} from './portefeuilles-common.js';

export async function portefeuilleCompositionRoutes(app: FastifyInstance) {
  const doc = adminDoc({});
  app.get(
    '/gestion/portefeuilles/:id',
    tiersRoute({
      ...doc,
      operationId: 'compositionPortefeuille',
      summary: 'Composition du portefeuille (entreprises clientes, pages)',
      params: portefeuilleParams,
      querystring: pageQuery,
    }),
    showComposition,
  );
  app.post(
    '/gestion/portefeuilles/:id/entreprises',
    tiersRoute({
      ...doc,
      operationId: 'ajouterEntreprisePortefeuille',
      summary: 'Ajouter une entreprise au portefeuille (SIREN : tous ses établissements actifs)',
      params: portefeuilleParams,
      body: sirenSchema,
      responses: { 201: messageResponse },
    }),
    addCompany,
  );
  app.get(
    '/gestion/portefeuilles/:id/entreprises/:siren/transfert',
    tiersRoute({ ...doc, ...browserPage('pageTransfertEntreprise') }),
    showTransfer,
  );
  app.post(
    '/gestion/portefeuilles/:id/entreprises/:siren/transfert',
    tiersRoute({
      ...doc,
      operationId: 'transfererEntreprise',
      summary: 'Transférer l’entreprise vers un autre portefeuille',
      params: clientParams,
      body: transferSchema,
    }),
    transfer,
  );
  app.post(
    '/gestion/portefeuilles/:id/entreprises/:siren/retirer',
    tiersRoute({
      ...doc,
      operationId: 'retirerEntreprise',
      summary: 'Retirer l’entreprise du portefeuille',
      params: clientParams,
      changes: true,
    }),
    removeCompany,
  );
}

/** « Composition du portefeuille », again with the form's messages after a refusal. */
const compositionPage =
  (req: FastifyRequest, p: Portefeuille, extra: { errors?: FieldErrors; siren?: unknown } = {}) =>
  async () => {
    const r = await listClients(req.server.ctx, p.id, pageOf(req));
    return (
      <CompositionPage
        ctx={pageContext(req)}
        portefeuille={p}
        clients={r.rows}
        total={r.total}
        page={r.page}
        pages={r.pages}
        notice={noticeOf(req, PORTEFEUILLE_NOTICES)}
        {...extra}
      />
    );
  };

async function showComposition(req: FastifyRequest, reply: FastifyReply) {
  const p = await portefeuilleOf(req);
  if (!p) return notFound(req, reply);
  return respond(req, reply, {
    json: async () => {
      const r = await listClients(req.server.ctx, p.id, pageOf(req));
      return {
        portefeuille: { id: p.id, name: p.name, comment: p.comment, isDefault: p.isDefault },
        entreprises: r.rows,
        total: r.total,
        page: r.page,
        pages: r.pages,
      };
    },
    page: compositionPage(req, p),
  });
}

async function addCompany(req: FastifyRequest, reply: FastifyReply) {
  const p = await portefeuilleOf(req);
  if (!p) return notFound(req, reply);
  const parsed = readForm(req, reply, sirenSchema, (wrong) =>
    compositionPage(req, p, { errors: wrong.errors, siren: wrong.values.siren })(),
  );
  if (!parsed.ok) return parsed.answer;
  const r = await attempt(() => addClient(req.server.ctx, req.auth!.user, p.id, parsed.data.siren, meta(req)));
  if (!r.ok) return failed(req, reply, r.problem, (errors) => compositionPage(req, p, { errors, siren: parsed.data.siren }));
  return created(req, reply, PORTEFEUILLE_NOTICES, 'entreprise-ajoutee', `/gestion/portefeuilles/${p.id}`, r.value);
}

/** « Transférer l’entreprise »: the other portefeuilles to choose from. */
const transferPage = (req: FastifyRequest, pc: ClientOfPath, errors?: FieldErrors) => async () => (
  <TransferPage
    ctx={pageContext(req)}
    portefeuille={pc.p}
    client={pc.c}
    targets={await portefeuilleNames(req.server.ctx, pc.p.espaceId)}
    errors={errors}
  />
);

async function showTransfer(req: FastifyRequest, reply: FastifyReply) {
  const pc = await clientOf(req);
  if (!('p' in pc)) return notFound(req, reply, pc);
  return respond(req, reply, { page: transferPage(req, pc) });
}

async function transfer(req: FastifyRequest, reply: FastifyReply) {
  const pc = await clientOf(req);
  if (!('p' in pc)) return notFound(req, reply, pc);
  const parsed = parseBody(transferSchema, req.body);
  if (!parsed.ok) {
    const errors = { cible: 'Choisissez un portefeuille de destination.' };
    return respond(req, reply, { problem: invalidForm(errors), page: transferPage(req, pc, errors) });
  }
  const r = await attempt(() => transferClient(req.server.ctx, req.auth!.user, pc.p.id, pc.c.siren, parsed.data.cible, meta(req)));
  if (!r.ok) return failed(req, reply, r.problem, (errors) => transferPage(req, pc, errors));
  return done(req, reply, `/gestion/portefeuilles/${r.value.target.id}`, 'transferee', { portefeuille: r.value.target.id });
}

async function removeCompany(req: FastifyRequest, reply: FastifyReply) {
  const pc = await clientOf(req);
  if (!('p' in pc)) return notFound(req, reply, pc);
  const r = await attempt(() => removeClient(req.server.ctx, req.auth!.user, pc.p.id, pc.c.siren, meta(req)));
  if (!r.ok) return failed(req, reply, r.problem, (errors) => compositionPage(req, pc.p, { errors }));
  return done(req, reply, `/gestion/portefeuilles/${pc.p.id}`, 'retiree');
}
