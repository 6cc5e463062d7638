/**
 * « Gérer les déclarants du portefeuille » and « Gérer les déclarations du portefeuille »: two lists
 * each, with arrows that work without JavaScript (the lists come back with the items moved, nothing is
 * saved before « Valider »).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DECLARATIONS } from '../../../domain/declarations.js';
import type { ReactElement } from 'react';
import type { z } from 'zod';
import { pageContext, readForm, respond } from '../../../http/respond.js';
import { type FieldErrors } from '../../../shared/fields.js';
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
import { done, failed, notFound, portefeuilleOf, adminDoc, tiersRoute, type PortefeuilleNotice } from './portefeuilles-common.js';

export async function portefeuilleListsRoutes(app: FastifyInstance) {
  const doc = adminDoc({ params: portefeuilleParams });
  app.get(
    '/gestion/portefeuilles/:id/declarants',
    tiersRoute({ ...doc, operationId: 'declarantsPortefeuille', summary: 'Déclarants du portefeuille' }),
    showDeclarants,
  );
  app.post(
    '/gestion/portefeuilles/:id/declarants',
    tiersRoute({
      ...doc,
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
      ...doc,
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

const saveDeclarants = saveDualList({
  schema: portefeuilleDeclarantsSchema,
  items: (data) => data.declarants,
  all: async (req, p) => (await declarantsOf(req.server.ctx, p.espaceId, p.id)).map((d) => d.id),
  noun: DECLARANT_NOUN,
  legends: DECLARANT_LEGENDS,
  page: (req, p, { items, ...form }) => declarantsPage(req, p, { ...form, ...(items ? { working: items } : {}) }),
  save: async (req, p, items) => {
    await setPortefeuilleDeclarants(req.server.ctx, req.auth!.user, p.id, items, meta(req));
    return {};
  },
  notice: 'declarants',
});

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

const saveDeclarations = saveDualList({
  schema: portefeuilleDeclarationsSchema,
  items: (data) => data.declarations,
  all: async () => DECLARATIONS.map((d) => d.code),
  noun: DECLARATION_NOUN,
  legends: DECLARATION_LEGENDS,
  page: (req, p, { items, ...form }) => declarationsPage(req, p, { ...form, ...(items ? { selected: items } : {}) }),
  save: (req, p, items) => setPortefeuilleDeclarations(req.server.ctx, req.auth!.user, p.id, items, meta(req)),
  notice: 'declarations',
});

// ── both lists ──────────────────────────────────────────────────────────────────────────────────

type DualListForm = { action?: string; ajouter?: string[]; retirer?: string[] };

/** One of the portefeuille's two lists: its form, every item it may hold, its page and how it is saved. */
interface DualList<T extends DualListForm> {
  schema: z.ZodType<T>;
  items: (data: T) => string[];
  all: (req: FastifyRequest, p: Portefeuille) => Promise<string[]>;
  noun: Parameters<typeof emptyMoveMessage>[3];
  legends: Parameters<typeof emptyMoveMessage>[4];
  page: (
    req: FastifyRequest,
    p: Portefeuille,
    form: { items?: string[]; pending?: boolean; errors?: FieldErrors },
  ) => () => Promise<ReactElement>;
  save: (req: FastifyRequest, p: Portefeuille, items: string[]) => Promise<object>;
  notice: PortefeuilleNotice;
}

/** « Valider » saves the list; an arrow (without JavaScript) answers the page with the items moved, nothing saved. */
function saveDualList<T extends DualListForm>(list: DualList<T>) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const p = await portefeuilleOf(req);
    if (!p) return notFound(req, reply);
    const parsed = readForm(req, reply, list.schema, (wrong) => list.page(req, p, { errors: wrong.errors })());
    if (!parsed.ok) return parsed.answer;
    const move = sentForm(req) ? moveOf(parsed.data) : null;
    if (move) {
      const { ajouter = [], retirer = [] } = parsed.data;
      const items = applyDualListMove(list.items(parsed.data), await list.all(req, p), move, ajouter, retirer);
      const message = emptyMoveMessage(move, ajouter, retirer, list.noun, list.legends);
      if (!message) return respond(req, reply, { page: list.page(req, p, { items, pending: true }) });
      const errors = { _form: message };
      return respond(req, reply, { problem: invalidForm(errors), page: list.page(req, p, { items, pending: true, errors }) });
    }
    const r = await attempt(() => list.save(req, p, list.items(parsed.data)));
    if (!r.ok) return failed(req, reply, r.problem, (errors) => list.page(req, p, { errors }));
    return done(req, reply, '/gestion/portefeuilles', list.notice, r.value);
  };
}
