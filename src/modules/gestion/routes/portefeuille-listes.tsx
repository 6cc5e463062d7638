/**
 * « Gérer les déclarants du portefeuille » and « Gérer les déclarations du portefeuille »: two lists
 * each, with arrows that work without JavaScript (the lists come back with the items moved, nothing is
 * saved before « Valider »).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DECLARATIONS } from '../../../domain/declarations.js';
import { pageContext, respond } from '../../../http/respond.js';
import { messageResponse, parseBody, type FieldErrors } from '../../../shared/fields.js';
import { invalidForm } from '../../../shared/problem.js';
import { DECLARATION_LEGENDS, DECLARATION_NOUN } from '../../../web/pages/declarations.js';
import { DECLARANT_LEGENDS, DECLARANT_NOUN } from '../../../web/pages/portefeuilles-parts.js';
import { PortefeuilleDeclarantsPage, PortefeuilleDeclarationsPage } from '../../../web/pages/portefeuilles.js';
import { portefeuilleDeclarantsSchema, portefeuilleDeclarationsSchema, portefeuilleParams } from '../contracts.js';
import { applyDualListMove, emptyMoveMessage, moveOf } from '../dual-list-moves.js';
import { attempt } from '../outcome.js';
import { setPortefeuilleDeclarations } from '../portefeuilles-declarations.js';
import { declarationsOfPortefeuille, type Portefeuille } from '../portefeuilles-repository.js';
import { declarantsOf, setPortefeuilleDeclarants } from '../portefeuilles.js';
import { meta, sentForm } from './common.js';
import { done, failed, notFound, portefeuilleOf, tiersRoute } from './portefeuilles-common.js';

export async function portefeuilleListsRoutes(app: FastifyInstance) {
  const doc = { access: 'admin' as const, params: portefeuilleParams };
  const change = { ...doc, responses: { 200: messageResponse } };
  app.get(
    '/gestion/portefeuilles/:id/declarants',
    tiersRoute({ ...doc, operationId: 'declarantsPortefeuille', summary: 'Déclarants du portefeuille' }),
    showDeclarants,
  );
  app.post(
    '/gestion/portefeuilles/:id/declarants',
    tiersRoute({
      ...change,
      operationId: 'gererDeclarantsPortefeuille',
      summary: 'Gérer les déclarants du portefeuille',
      body: portefeuilleDeclarantsSchema,
    }),
    saveDeclarants,
  );
  app.get(
    '/gestion/portefeuilles/:id/declarations',
    tiersRoute({ ...doc, operationId: 'declarationsPortefeuille', summary: 'Déclarations du portefeuille' }),
    showDeclarations,
  );
  app.post(
    '/gestion/portefeuilles/:id/declarations',
    tiersRoute({
      ...change,
      operationId: 'gererDeclarationsPortefeuille',
      summary: 'Gérer les déclarations du portefeuille',
      body: portefeuilleDeclarationsSchema,
    }),
    saveDeclarations,
  );
}

// ── déclarants ──────────────────────────────────────────────────────────────────────────────────

async function showDeclarants(req: FastifyRequest, reply: FastifyReply) {
  const p = await portefeuilleOf(req);
  if (!p) return notFound(req, reply);
  const declarants = await declarantsOf(req.server.ctx, p.espaceId, p.id);
  return respond(req, reply, {
    json: { portefeuille: { id: p.id, name: p.name }, declarants },
    page: () => <PortefeuilleDeclarantsPage ctx={pageContext(req)} portefeuille={p} declarants={declarants} />,
  });
}

/** The page of the portefeuille's déclarants, with the saved selection or the one being edited (`working`). */
const declarantsPage =
  (req: FastifyRequest, p: Portefeuille, form: { working?: string[]; pending?: boolean; errors?: FieldErrors } = {}) =>
  async () => {
    const declarants = await declarantsOf(req.server.ctx, p.espaceId, p.id);
    return <PortefeuilleDeclarantsPage ctx={pageContext(req)} portefeuille={p} declarants={declarants} {...form} />;
  };

async function saveDeclarants(req: FastifyRequest, reply: FastifyReply) {
  const p = await portefeuilleOf(req);
  if (!p) return notFound(req, reply);
  const parsed = parseBody(portefeuilleDeclarantsSchema, req.body);
  if (!parsed.ok)
    return respond(req, reply, { problem: invalidForm(parsed.errors), page: declarantsPage(req, p, { errors: parsed.errors }) });
  const move = sentForm(req) ? moveOf(parsed.data) : null;
  if (move) {
    const { ajouter = [], retirer = [] } = parsed.data;
    const all = (await declarantsOf(req.server.ctx, p.espaceId, p.id)).map((d) => d.id);
    const working = applyDualListMove(parsed.data.declarants, all, move, ajouter, retirer);
    const message = emptyMoveMessage(move, ajouter, retirer, DECLARANT_NOUN, DECLARANT_LEGENDS);
    if (!message) return respond(req, reply, { page: declarantsPage(req, p, { working, pending: true }) });
    const errors = { _form: message };
    return respond(req, reply, { problem: invalidForm(errors), page: declarantsPage(req, p, { working, pending: true, errors }) });
  }
  const r = await attempt(() => setPortefeuilleDeclarants(req.server.ctx, req.auth!.user, p.id, parsed.data.declarants, meta(req)));
  if (!r.ok) return failed(req, reply, r.problem, (errors) => declarantsPage(req, p, { errors }));
  return done(req, reply, '/gestion/portefeuilles', 'declarants');
}

// ── declarations ────────────────────────────────────────────────────────────────────────────────

async function showDeclarations(req: FastifyRequest, reply: FastifyReply) {
  const p = await portefeuilleOf(req);
  if (!p) return notFound(req, reply);
  const selected = await declarationsOfPortefeuille(req.server.ctx.db, p.id);
  return respond(req, reply, {
    json: { portefeuille: { id: p.id, name: p.name }, declarations: selected },
    page: () => <PortefeuilleDeclarationsPage ctx={pageContext(req)} portefeuille={p} selected={selected} />,
  });
}

/** The page of the portefeuille's declarations, saved or being edited (`selected`). */
const declarationsPage =
  (req: FastifyRequest, p: Portefeuille, form: { selected?: string[]; pending?: boolean; errors?: FieldErrors } = {}) =>
  async () => {
    const selected = form.selected ?? (await declarationsOfPortefeuille(req.server.ctx.db, p.id));
    return <PortefeuilleDeclarationsPage ctx={pageContext(req)} portefeuille={p} {...form} selected={selected} />;
  };

async function saveDeclarations(req: FastifyRequest, reply: FastifyReply) {
  const p = await portefeuilleOf(req);
  if (!p) return notFound(req, reply);
  const parsed = parseBody(portefeuilleDeclarationsSchema, req.body);
  if (!parsed.ok)
    return respond(req, reply, { problem: invalidForm(parsed.errors), page: declarationsPage(req, p, { errors: parsed.errors }) });
  const move = sentForm(req) ? moveOf(parsed.data) : null;
  if (move) {
    const { ajouter = [], retirer = [] } = parsed.data;
    const all = DECLARATIONS.map((d) => d.code);
    const selected = applyDualListMove(parsed.data.declarations, all, move, ajouter, retirer);
    const message = emptyMoveMessage(move, ajouter, retirer, DECLARATION_NOUN, DECLARATION_LEGENDS);
    if (!message) return respond(req, reply, { page: declarationsPage(req, p, { selected, pending: true }) });
    const errors = { _form: message };
    return respond(req, reply, { problem: invalidForm(errors), page: declarationsPage(req, p, { selected, pending: true, errors }) });
  }
  const r = await attempt(() => setPortefeuilleDeclarations(req.server.ctx, req.auth!.user, p.id, parsed.data.declarations, meta(req)));
  if (!r.ok) return failed(req, reply, r.problem, (errors) => declarationsPage(req, p, { errors }));
  return done(req, reply, '/gestion/portefeuilles', 'declarations', r.value);
}
