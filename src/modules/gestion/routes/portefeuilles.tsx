/** « Vos portefeuilles » (search, pages), « Ajout de portefeuille », its modification and its deletion. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond, readForm } from '../../../http/respond.js';
import { browserPage } from '../../../http/route.js';
import { messageResponse, parseBody, type FieldErrors } from '../../../shared/fields.js';
import { failure, invalidForm, type Problem } from '../../../shared/problem.js';
import { DECLARANT_LEGENDS, DECLARANT_NOUN } from '../../../web/pages/portefeuilles-parts.js';
import { PortefeuilleDeletePage, PortefeuilleFormPage, PortefeuillesPage } from '../../../web/pages/portefeuilles.js';
import { portefeuilleParams, portefeuilleSchema, portefeuillesQuery } from '../contracts.js';
import { applyDualListMove, emptyMoveMessage, moveOf } from '../dual-list-moves.js';
import { attempt } from '../outcome.js';
import {
  createPortefeuille,
  declarantsOf,
  deletePortefeuille,
  ensureDefaultPortefeuille,
  listPortefeuilles,
  SEARCH_CRITERIA,
  updatePortefeuille,
  type SearchCriterion,
} from '../portefeuilles.js';
import { created, meta, noticeOf, pageOf, param, queryText, sentForm } from './common.js';
import { done, failed, notFound, PORTEFEUILLE_NOTICES, portefeuilleOf, adminDoc, tiersRoute } from './portefeuilles-common.js';

type Values = Record<string, unknown>;

export async function portefeuillesListRoutes(app: FastifyInstance) {
  const doc = adminDoc({});
  app.get(
    '/gestion/portefeuilles',
    tiersRoute({
      ...doc,
      operationId: 'listerPortefeuilles',
      summary: 'Vos portefeuilles (critères, pages)',
      querystring: portefeuillesQuery,
    }),
    showList,
  );
  app.get('/gestion/portefeuilles/ajouter', tiersRoute({ ...doc, ...browserPage('pageAjoutPortefeuille') }), (req, reply) =>
    createPage(req, reply),
  );
  app.post(
    '/gestion/portefeuilles',
    tiersRoute({
      ...doc,
      operationId: 'ajouterPortefeuille',
      summary: 'Ajouter un portefeuille (nom, commentaire, déclarants)',
      body: portefeuilleSchema,
      responses: { 201: messageResponse },
    }),
    create,
  );
  app.get('/gestion/portefeuilles/:id/modifier', tiersRoute({ ...doc, ...browserPage('pageModifierPortefeuille') }), editPage);
  app.post(
    '/gestion/portefeuilles/:id',
    tiersRoute({
      ...doc,
      operationId: 'modifierPortefeuille',
      summary: 'Modifier le nom et le commentaire d’un portefeuille',
      params: portefeuilleParams,
      body: portefeuilleSchema,
    }),
    edit,
  );
  app.get('/gestion/portefeuilles/:id/supprimer', tiersRoute({ ...doc, ...browserPage('pageSupprimerPortefeuille') }), deletePage);
  app.post(
    '/gestion/portefeuilles/:id/supprimer',
    tiersRoute({
      ...doc,
      operationId: 'supprimerPortefeuille',
      summary: 'Supprimer un portefeuille vide (pas le portefeuille par défaut)',
      params: portefeuilleParams,
      changes: true,
    }),
    remove,
  );
}

/** The search of « Vos portefeuilles »: a criterion, a value (100 characters at most), a page. */
function searchOf(req: FastifyRequest) {
  const asked = queryText(req, 'critere');
  const critere = (SEARCH_CRITERIA.some((c) => c.value === asked) ? asked : 'nom') as SearchCriterion;
  const valeur = queryText(req, 'valeur').trim();
  if (valeur.length > 100 || /[\u0000-\u001f\u007f]/.test(valeur))
    return { critere, valeur: '', error: 'La valeur recherchée est trop longue ou contient des caractères non autorisés.' };
  return { critere, valeur, error: undefined };
}

async function showList(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const me = req.auth!.user;
  await ensureDefaultPortefeuille(ctx, me, meta(req));
  const { critere, valeur, error } = searchOf(req);
  const r = await listPortefeuilles(ctx, me.espaceId, { critere, valeur, page: pageOf(req) });
  const page = () => (
    <PortefeuillesPage
      ctx={pageContext(req)}
      {...r}
      critere={critere}
      valeur={valeur}
      criteria={SEARCH_CRITERIA}
      notice={noticeOf(req, PORTEFEUILLE_NOTICES)}
      error={error}
    />
  );
  if (error) return respond(req, reply, { problem: failure('invalid', 'recherche_incorrecte', error).problem, page });
  return respond(req, reply, { json: { portefeuilles: r.rows, total: r.total, page: r.page, pages: r.pages }, page });
}

/** « Ajout de portefeuille »: the form, again with its messages (`refusal`) or with the two lists being edited. */
async function createPage(
  req: FastifyRequest,
  reply: FastifyReply,
  form: { values?: Values; errors?: FieldErrors; pending?: boolean } = {},
  refusal?: Problem,
) {
  const declarants = await declarantsOf(req.server.ctx, req.auth!.user.espaceId);
  const page = () => <PortefeuilleFormPage ctx={pageContext(req)} mode="create" declarants={declarants} {...form} />;
  const p = refusal ?? (form.errors ? invalidForm(form.errors) : undefined);
  return p ? respond(req, reply, { problem: p, page }) : respond(req, reply, { page });
}

async function create(req: FastifyRequest, reply: FastifyReply) {
  const me = req.auth!.user;
  const parsed = parseBody(portefeuilleSchema, req.body);
  if (!parsed.ok) return createPage(req, reply, { values: parsed.values, errors: parsed.errors });
  const move = sentForm(req) ? moveOf(parsed.data) : null;
  if (move) {
    const { ajouter = [], retirer = [] } = parsed.data;
    const all = (await declarantsOf(req.server.ctx, me.espaceId)).map((d) => d.id);
    const working = applyDualListMove(parsed.data.declarants ?? [], all, move, ajouter, retirer);
    const message = emptyMoveMessage(move, ajouter, retirer, DECLARANT_NOUN, DECLARANT_LEGENDS);
    const values = { name: parsed.data.name, comment: parsed.data.comment, declarants: working };
    return createPage(req, reply, { values, pending: true, ...(message ? { errors: { _form: message } } : {}) });
  }
  const input = { name: parsed.data.name, comment: parsed.data.comment, declarants: parsed.data.declarants ?? [] };
  const r = await attempt(() => createPortefeuille(req.server.ctx, me, input, meta(req)));
  if (!r.ok) return createPage(req, reply, { values: req.body as Values, errors: r.problem.errors }, r.problem);
  return created(req, reply, PORTEFEUILLE_NOTICES, 'cree', '/gestion/portefeuilles', { id: r.value });
}

async function editPage(req: FastifyRequest, reply: FastifyReply) {
  const p = await portefeuilleOf(req);
  if (!p) return notFound(req, reply);
  return respond(req, reply, {
    page: () => <PortefeuilleFormPage ctx={pageContext(req)} mode="edit" id={p.id} values={{ name: p.name, comment: p.comment }} />,
  });
}

async function edit(req: FastifyRequest, reply: FastifyReply) {
  const id = param(req, 'id');
  const formPage = (errors: FieldErrors, values: Values) => () => (
    <PortefeuilleFormPage ctx={pageContext(req)} mode="edit" id={id} values={values} errors={errors} />
  );
  if (!(await portefeuilleOf(req))) return notFound(req, reply);
  const parsed = readForm(req, reply, portefeuilleSchema, (wrong) => formPage(wrong.errors, wrong.values)());
  if (!parsed.ok) return parsed.answer;
  const input = { name: parsed.data.name, comment: parsed.data.comment };
  const r = await attempt(() => updatePortefeuille(req.server.ctx, req.auth!.user, id, input, meta(req)));
  if (!r.ok) return failed(req, reply, r.problem, (errors) => formPage(errors, req.body as Values));
  return done(req, reply, '/gestion/portefeuilles', 'modifie');
}

async function deletePage(req: FastifyRequest, reply: FastifyReply) {
  const p = await portefeuilleOf(req);
  if (!p) return notFound(req, reply);
  return respond(req, reply, { page: () => <PortefeuilleDeletePage ctx={pageContext(req)} portefeuille={p} /> });
}

async function remove(req: FastifyRequest, reply: FastifyReply) {
  const p = await portefeuilleOf(req);
  if (!p) return notFound(req, reply);
  const r = await attempt(() => deletePortefeuille(req.server.ctx, req.auth!.user, p.id, meta(req)));
  if (!r.ok)
    return failed(req, reply, r.problem, (errors) => () => (
      <PortefeuilleDeletePage ctx={pageContext(req)} portefeuille={p} error={errors._form} />
    ));
  return done(req, reply, '/gestion/portefeuilles', 'supprime');
}
