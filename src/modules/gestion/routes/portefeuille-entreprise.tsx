/**
 * One client company of a portefeuille: « Choisir les établissements de l’entreprise » and « Gérer
 * les déclarations de l’entreprise ».
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond, readForm } from '../../../http/respond.js';
import { parseBody, type FieldErrors } from '../../../shared/fields.js';
import { invalidForm } from '../../../shared/problem.js';
import { ClientDeclarationsPage, ClientEtablissementsPage } from '../../../web/pages/portefeuille-composition.js';
import { clientParams, portefeuilleDeclarationsSchema, siretsSchema } from '../contracts.js';
import { attempt } from '../outcome.js';
import { chooseEtablissements, declarationsOfClient, etablissementsOfClient, setClientDeclarations } from '../portefeuilles-clients.js';
import { declarationsOfPortefeuille } from '../portefeuilles-repository.js';
import { meta } from './common.js';
import { clientOf, done, failed, notFound, adminDoc, tiersRoute, type ClientOfPath } from './portefeuilles-common.js';

export async function portefeuilleClientRoutes(app: FastifyInstance) {
  const doc = adminDoc({ params: clientParams });
  app.get(
    '/gestion/portefeuilles/:id/entreprises/:siren/etablissements',
    tiersRoute({
      ...doc,
      operationId: 'etablissementsEntrepriseCliente',
      summary: 'Établissements actifs d’une entreprise cliente et ceux choisis',
    }),
    showEtablissements,
  );
  app.post(
    '/gestion/portefeuilles/:id/entreprises/:siren/etablissements',
    tiersRoute({
      ...doc,
      operationId: 'choisirEtablissements',
      summary: 'Choisir les établissements de l’entreprise',
      body: siretsSchema,
    }),
    saveEtablissements,
  );
  app.get(
    '/gestion/portefeuilles/:id/entreprises/:siren/declarations',
    tiersRoute({ ...doc, operationId: 'declarationsEntrepriseCliente', summary: 'Déclarations d’une entreprise cliente' }),
    showDeclarations,
  );
  app.post(
    '/gestion/portefeuilles/:id/entreprises/:siren/declarations',
    tiersRoute({
      ...doc,
      operationId: 'gererDeclarationsEntreprise',
      summary: 'Gérer les déclarations de l’entreprise',
      body: portefeuilleDeclarationsSchema,
    }),
    saveDeclarations,
  );
}

// ── établissements ──────────────────────────────────────────────────────────────────────────────

const etablissementsPage = (req: FastifyRequest, pc: ClientOfPath, errors?: FieldErrors) => async () => (
  <ClientEtablissementsPage
    ctx={pageContext(req)}
    portefeuille={pc.p}
    client={pc.c}
    etablissements={await etablissementsOfClient(req.server.ctx, pc.p.id, pc.c.siren)}
    errors={errors}
  />
);

async function showEtablissements(req: FastifyRequest, reply: FastifyReply) {
  const pc = await clientOf(req);
  if (!('p' in pc)) return notFound(req, reply, pc);
  const list = await etablissementsOfClient(req.server.ctx, pc.p.id, pc.c.siren);
  return respond(req, reply, {
    json: { entreprise: pc.c, etablissements: list },
    page: () => <ClientEtablissementsPage ctx={pageContext(req)} portefeuille={pc.p} client={pc.c} etablissements={list} />,
  });
}

async function saveEtablissements(req: FastifyRequest, reply: FastifyReply) {
  const pc = await clientOf(req);
  if (!('p' in pc)) return notFound(req, reply, pc);
  const parsed = parseBody(siretsSchema, req.body);
  if (!parsed.ok) {
    const errors = { sirets: parsed.errors.sirets ?? 'Le formulaire contient des erreurs.' };
    return respond(req, reply, { problem: invalidForm(errors), page: etablissementsPage(req, pc, errors) });
  }
  const r = await attempt(() => chooseEtablissements(req.server.ctx, req.auth!.user, pc.p.id, pc.c.siren, parsed.data.sirets, meta(req)));
  if (!r.ok) return failed(req, reply, r.problem, (errors) => etablissementsPage(req, pc, errors));
  return done(req, reply, `/gestion/portefeuilles/${pc.p.id}`, 'etablissements', r.value);
}

// ── declarations ────────────────────────────────────────────────────────────────────────────────

/** What « Gérer les déclarations de l’entreprise » shows: the portefeuille's declarations, and how many chosen établissements have each. */
async function declarationsView(req: FastifyRequest, pc: ClientOfPath) {
  const db = req.server.ctx.db;
  const [available, present, list] = await Promise.all([
    declarationsOfPortefeuille(db, pc.p.id),
    declarationsOfClient(db, pc.p.espaceId, pc.p.id, pc.c.siren),
    etablissementsOfClient(req.server.ctx, pc.p.id, pc.c.siren),
  ]);
  return { available, present, chosenCount: list.filter((e) => e.chosen).length };
}

const declarationsPage = (req: FastifyRequest, pc: ClientOfPath, errors?: FieldErrors) => async () => (
  <ClientDeclarationsPage ctx={pageContext(req)} portefeuille={pc.p} client={pc.c} {...await declarationsView(req, pc)} errors={errors} />
);

async function showDeclarations(req: FastifyRequest, reply: FastifyReply) {
  const pc = await clientOf(req);
  if (!('p' in pc)) return notFound(req, reply, pc);
  const v = await declarationsView(req, pc);
  return respond(req, reply, {
    json: { entreprise: pc.c, disponibles: v.available, declarations: [...v.present.keys()] },
    page: () => <ClientDeclarationsPage ctx={pageContext(req)} portefeuille={pc.p} client={pc.c} {...v} />,
  });
}

async function saveDeclarations(req: FastifyRequest, reply: FastifyReply) {
  const pc = await clientOf(req);
  if (!('p' in pc)) return notFound(req, reply, pc);
  const parsed = readForm(req, reply, portefeuilleDeclarationsSchema, (wrong) => declarationsPage(req, pc, wrong.errors)());
  if (!parsed.ok) return parsed.answer;
  const codes = parsed.data.declarations;
  const r = await attempt(() => setClientDeclarations(req.server.ctx, req.auth!.user, pc.p.id, pc.c.siren, codes, meta(req)));
  if (!r.ok) return failed(req, reply, r.problem, (errors) => declarationsPage(req, pc, errors));
  return done(req, reply, `/gestion/portefeuilles/${pc.p.id}`, 'declarations-entreprise', r.value);
}
