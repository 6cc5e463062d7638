/**
 * « Présentation et contacts »: the page of the public fiche and its presentation; the contacts and
 * the websites are lignes.tsx. Every change answers a browser with the page and a notice (303), a
 * program with the notice as JSON.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ReactElement } from 'react';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { parseBody } from '../../../shared/fields.js';
import { invalidForm, type Outcome, type Problem } from '../../../shared/problem.js';
import { spaceUrl } from '../../../web/pages/soltea-etablissement.js';
import { PresentationPage } from '../../../web/pages/soltea-etablissement-fiche.js';
import { presentationSchema, profilResponse, siretParams } from '../contracts.js';
import { FICHE_LIMITS, loadProfil, updatePresentation, type Profil } from '../profil.js';
import { editor, formRefusal, notice, NOTICES, tags, withSpace, type Space } from './common.js';

export async function ficheRoutes(app: FastifyInstance) {
  app.get(
    '/soltea/etablissement/:siret/presentation',
    route({
      operationId: 'presentationEtContacts',
      summary: 'Présentation et contacts : la fiche publique de l’établissement',
      tags,
      access: 'user',
      params: siretParams,
      responses: { 200: profilResponse },
    }),
    withSpace(showPresentation),
  );
  app.post(
    '/soltea/etablissement/:siret/presentation',
    route({
      operationId: 'enregistrerPresentation',
      summary: 'Enregistrer la présentation de l’établissement (2 000 caractères au maximum)',
      tags,
      access: 'user',
      params: siretParams,
      body: presentationSchema,
    }),
    withSpace(savePresentation),
  );
}

const profilJson = (p: Profil) => ({
  presentation: p.presentation,
  contacts: p.contacts,
  sites: p.sites,
  version: p.version,
  modifieeLe: p.updatedAt?.toISOString() ?? null,
});

async function showPresentation(req: FastifyRequest, reply: FastifyReply, s: Space) {
  const p = await loadProfil(req.server.ctx, s.etab.siret);
  return respond(req, reply, {
    json: () => profilJson(p),
    page: () => <PresentationPage ctx={pageContext(req)} head={s.head} profil={p} limits={FICHE_LIMITS} notice={notice(req)} />,
  });
}

async function savePresentation(req: FastifyRequest, reply: FastifyReply, s: Space) {
  const parsed = parseBody(presentationSchema, req.body);
  const r = parsed.ok
    ? await updatePresentation(req.server.ctx, editor(req, s), parsed.data)
    : { ok: false as const, problem: invalidForm(parsed.errors) };
  return answerChange(req, reply, s, r, 'presentation', async (problem) => {
    const p = await loadProfil(req.server.ctx, s.etab.siret);
    const { errors, message } = formRefusal(problem);
    const values = (req.body ?? {}) as Record<string, unknown>;
    const shown = message ? { _form: message, ...errors } : errors;
    return <PresentationPage ctx={pageContext(req)} head={s.head} profil={p} limits={FICHE_LIMITS} values={values} errors={shown} />;
  });
}

/**
 * The answer of a change of the fiche: the page « Présentation et contacts » with the notice (a program
 * gets the notice, with `status`), or the refusal on the form it came from.
 */
export function answerChange(
  req: FastifyRequest,
  reply: FastifyReply,
  s: Space,
  r: Outcome,
  done: string,
  form: (problem: Problem) => ReactElement | Promise<ReactElement>,
  status = 200,
) {
  if (!r.ok) return respond(req, reply, { problem: r.problem, page: () => form(r.problem) });
  return changed(req, reply, s, done, status);
}

/** A change done: back to « Présentation et contacts » with its notice; a program gets the notice. */
export function changed(req: FastifyRequest, reply: FastifyReply, s: Space, done: string, status = 200) {
  return respond(req, reply, { status, json: { message: NOTICES[done]! }, redirect: spaceUrl(s.etab.siret, 'presentation'), notice: done });
}
