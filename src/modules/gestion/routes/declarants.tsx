/** « Gérer les déclarants »: the list, « Nouveau déclarant », « Modifier » and « Changer le courriel ». */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond, sendFile, readForm } from '../../../http/respond.js';
import { route, browserPage } from '../../../http/route.js';
import { messageResponse, parseBody, type FieldErrors } from '../../../shared/fields.js';
import { invalidForm, type Problem } from '../../../shared/problem.js';
import { DeclarantEmailPage, DeclarantFormPage, DeclarantsPage } from '../../../web/pages/declarants.js';
import { declarantEmailSchema, editDeclarantSchema, idParams, newDeclarantSchema } from '../contracts.js';
import {
  addDeclarant,
  changeDeclarantEmail,
  declarantsCsv,
  emailChangeRefusal,
  findDeclarant,
  listDeclarants,
  updateDeclarant,
} from '../declarants.js';
import { answerAction, DECLARANT_NOTICES, personNotFound } from './declarant-answers.js';
import { created, meta, noticeOf, param, tags } from './common.js';

type Values = Record<string, unknown>;

export async function declarantFormsRoutes(app: FastifyInstance) {
  const doc = { tags: tags.espace, access: 'admin' as const };
  const changeDoc = { ...doc, params: idParams };
  app.get(
    '/gestion/declarants',
    route({ ...doc, operationId: 'listerDeclarants', summary: 'Gérer les déclarants : les personnes de l’entreprise' }),
    showList,
  );
  app.get(
    '/gestion/declarants.csv',
    route({ ...doc, operationId: 'exporterDeclarantsCsv', summary: 'Gérer les déclarants : la liste (CSV, séparateur ;)' }),
    async (req, reply) =>
      sendFile(reply, {
        name: 'declarants.csv',
        type: 'text/csv; charset=utf-8',
        body: declarantsCsv(await listDeclarants(req.server.ctx, req.auth!.user)),
      }),
  );
  app.get('/gestion/declarants/nouveau', route({ ...doc, ...browserPage('pageNouveauDeclarant') }), (req, reply) =>
    respond(req, reply, { page: () => <DeclarantFormPage ctx={pageContext(req)} mode="new" /> }),
  );
  app.post(
    '/gestion/declarants/nouveau',
    route({
      ...doc,
      operationId: 'ajouterDeclarant',
      summary: 'Ajouter un déclarant (il reçoit un courriel pour choisir son mot de passe)',
      body: newDeclarantSchema,
      responses: { 201: messageResponse.extend({ id: z.string() }) },
    }),
    add,
  );
  app.get('/gestion/declarants/:id/modifier', route({ ...doc, ...browserPage('pageModifierDeclarant') }), editPage);
  app.post(
    '/gestion/declarants/:id/modifier',
    route({
      ...changeDoc,
      operationId: 'modifierDeclarant',
      summary: 'Modifier une personne (nom, prénom, téléphone)',
      body: editDeclarantSchema,
    }),
    edit,
  );
  app.get('/gestion/declarants/:id/courriel', route({ ...doc, ...browserPage('pageCourrielDeclarant') }), (req, reply) =>
    emailPage(req, reply),
  );
  app.post(
    '/gestion/declarants/:id/courriel',
    route({
      ...changeDoc,
      operationId: 'changerCourrielDeclarant',
      summary: 'Changer le courriel d’une personne (nouvelle adresse validée par un lien)',
      body: declarantEmailSchema,
    }),
    changeEmail,
  );
}

async function showList(req: FastifyRequest, reply: FastifyReply) {
  const rows = await listDeclarants(req.server.ctx, req.auth!.user);
  return respond(req, reply, {
    json: { declarants: rows },
    page: () => <DeclarantsPage ctx={pageContext(req)} rows={rows} notice={noticeOf(req, DECLARANT_NOTICES)} />,
  });
}

async function add(req: FastifyRequest, reply: FastifyReply) {
  const refused = (p: Problem, values: Values) =>
    respond(req, reply, {
      problem: p,
      page: () => <DeclarantFormPage ctx={pageContext(req)} mode="new" values={values} errors={p.errors} />,
    });
  const parsed = parseBody(newDeclarantSchema, req.body);
  if (!parsed.ok) return refused(invalidForm(parsed.errors), parsed.values);
  const r = await addDeclarant(req.server.ctx, req.auth!.user, parsed.data, meta(req));
  if (!r.ok) return refused(r.problem, req.body as Values);
  return created(req, reply, DECLARANT_NOTICES, 'ajoute', '/gestion/declarants', { id: r.userId });
}

async function editPage(req: FastifyRequest, reply: FastifyReply) {
  const p = await findDeclarant(req.server.ctx, req.auth!.user, param(req, 'id'));
  if (!p) return personNotFound(req, reply);
  const values = { nom: p.nom, prenom: p.prenom, telephone: p.telephone };
  return respond(req, reply, { page: () => <DeclarantFormPage ctx={pageContext(req)} mode="edit" id={p.id} values={values} /> });
}

async function edit(req: FastifyRequest, reply: FastifyReply) {
  const id = param(req, 'id');
  const formPage = (errors: FieldErrors | undefined) => () => (
    <DeclarantFormPage ctx={pageContext(req)} mode="edit" id={id} values={req.body as Values} errors={errors} />
  );
  if (!(await findDeclarant(req.server.ctx, req.auth!.user, id))) return personNotFound(req, reply);
  const parsed = readForm(req, reply, editDeclarantSchema, (wrong) => formPage(wrong.errors)());
  if (!parsed.ok) return parsed.answer;
  const r = await updateDeclarant(req.server.ctx, req.auth!.user, id, parsed.data, meta(req));
  return answerAction(req, reply, r, 'modifie', formPage);
}

/** « Changer le courriel »: the form, again with its messages after a refusal. */
async function emailPage(req: FastifyRequest, reply: FastifyReply, refusal?: Problem) {
  const p = await findDeclarant(req.server.ctx, req.auth!.user, param(req, 'id'));
  if (!p) return personNotFound(req, reply);
  const refused = emailChangeRefusal(req.auth!.user, p);
  if (refused) return respond(req, reply, { problem: refused, title: 'Changement de courriel impossible' });
  const page = () => (
    <DeclarantEmailPage
      ctx={pageContext(req)}
      person={{ ...p, invited: p.status === 'email_pending' && !p.passwordHash }}
      {...(refusal ? { values: req.body as Values, errors: refusal.errors } : {})}
    />
  );
  return respond(req, reply, refusal ? { problem: refusal, page } : { page });
}

async function changeEmail(req: FastifyRequest, reply: FastifyReply) {
  const id = param(req, 'id');
  if (!(await findDeclarant(req.server.ctx, req.auth!.user, id))) return personNotFound(req, reply);
  const parsed = parseBody(declarantEmailSchema, req.body);
  if (!parsed.ok) return emailPage(req, reply, invalidForm(parsed.errors));
  const r = await changeDeclarantEmail(req.server.ctx, req.auth!.user, id, parsed.data, meta(req));
  if (!r.ok && r.problem.kind === 'invalid') return emailPage(req, reply, r.problem);
  return answerAction(req, reply, r, 'courriel-envoye');
}
