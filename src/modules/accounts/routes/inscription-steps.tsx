/**
 * What the inscription's route files share. The server enforces the order of the steps: a draft row
 * keeps the current step, each step's POST runs only when the draft is exactly at that step
 * (inscription.ts), and a page of another step sends the person where the draft is. API clients carry
 * the draft in the `x-inscription` header instead of the cookie.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ReactElement } from 'react';
import type { z } from 'zod';
import { pageContext, readForm, redirect, respond } from '../../../http/respond.js';
import { route, type RouteDoc } from '../../../http/route.js';
import type { FieldErrors } from '../../../shared/fields.js';
import { MessagePage } from '../../../web/pages/public.js';
import { stepResponse } from '../contracts.js';
import { EXPIRED_MESSAGE, InscriptionError, loadDraft, type Draft } from '../inscription.js';
import { type Step } from '../inscription-path.js';
import { DRAFT_COOKIE, tags } from './common.js';

export const STEP_PATHS: Record<Step, string> = {
  cgu: '/inscription/conditions',
  identification: '/inscription/identification',
  password: '/inscription/mot-de-passe',
  recap: '/inscription/recapitulatif',
  profil: '/inscription/profil',
  declarations: '/inscription/declarations',
  habilitations: '/inscription/habilitations',
  declarants: '/inscription/declarants',
  confirmation: '/inscription/confirmation',
  done: '/inscription/validation',
};

export const EXPIRED = EXPIRED_MESSAGE;

/** The draft travels in the cookie (browsers) or the x-inscription header (API clients). */
export const draftIdOf = (req: FastifyRequest) => (req.headers['x-inscription'] as string | undefined) ?? req.cookies[DRAFT_COOKIE];

/** The OpenAPI description of a step's POST. */
export const stepDoc = (operationId: string, summary: string, body?: RouteDoc['body']) =>
  route({
    operationId,
    summary,
    tags: tags.inscription,
    access: 'public',
    changes: true,
    ...(body ? { body } : {}),
    responses: { 200: stepResponse },
  });

/**
 * Answers a refusal of the step machine: a wrong step sends the browser to the current one, an expired
 * draft says so, a refused field comes back on its form (`form`), anything else on a message page.
 */
export function refuse(req: FastifyRequest, reply: FastifyReply, e: unknown, form?: (errors: FieldErrors) => ReactElement) {
  if (!(e instanceof InscriptionError)) throw e;
  if (e.reason === 'wrong_step' && e.currentStep) return respond(req, reply, { problem: e.problem, redirect: STEP_PATHS[e.currentStep] });
  const page = (): ReactElement => {
    if (e.reason === 'expired')
      return (
        <MessagePage ctx={pageContext(req)} title="Inscription expirée" type="warning">
          {`${e.message} Les inscriptions non terminées expirent au bout d’une heure.`}
        </MessagePage>
      );
    if (form) return form(e.field ? { [e.field]: e.message } : { _form: e.message });
    return (
      <MessagePage ctx={pageContext(req)} title="Inscription impossible" type="error">
        {e.message}
      </MessagePage>
    );
  };
  return respond(req, reply, { problem: e.problem, page });
}

/** Runs a step's use case; a refusal of the step machine is answered by `refuse`. */
export async function step(
  req: FastifyRequest,
  reply: FastifyReply,
  run: () => Promise<FastifyReply>,
  form?: (errors: FieldErrors) => ReactElement,
) {
  try {
    return await run();
  } catch (e) {
    return refuse(req, reply, e, form);
  }
}

/**
 * A page of the draft's step `at` (or, without `at`, of any step before « done »): the draft loaded, an
 * expired one said so, another step's sends where the draft is.
 */
export async function draftPage(
  req: FastifyRequest,
  reply: FastifyReply,
  at: Step | undefined,
  render: (draft: Draft) => ReactElement | Promise<ReactElement>,
) {
  const draft = await loadDraft(req.server.ctx, draftIdOf(req));
  if (!draft) return refuse(req, reply, new InscriptionError('expired', EXPIRED));
  if (at ? draft.step !== at : draft.step === 'done') return redirect(reply, STEP_PATHS[draft.step]);
  return step(req, reply, async () => {
    const page = await render(draft);
    return respond(req, reply, { page: () => page });
  });
}

/** Declares the GET of a step page: only the step the draft is at; otherwise go where it is. */
export function stepPage(
  app: FastifyInstance,
  at: Step,
  render: (req: FastifyRequest, draft: Draft) => ReactElement | Promise<ReactElement>,
) {
  app.get(STEP_PATHS[at], { schema: { hide: true } }, (req, reply) => draftPage(req, reply, at, (draft) => render(req, draft)));
}

/**
 * A step done: programs read its message and the step that comes next (`etapeSuivante`, and the
 * draft's `jeton` when it starts), browsers go to that step's page.
 */
export function nextStep(
  req: FastifyRequest,
  reply: FastifyReply,
  message: string,
  next: Step,
  opts: { status?: number; jeton?: string } = {},
) {
  const { status, ...extra } = opts;
  return respond(req, reply, {
    ...(status ? { status } : {}),
    json: { message, etapeSuivante: next, ...extra },
    redirect: STEP_PATHS[next],
  });
}

/**
 * A step's form: read with its contract, then the step `run`; a wrong form or a refused field comes back
 * on `form`, or on the message page of that title for a form without a page of its own.
 */
export async function formStep<S extends z.ZodType>(
  req: FastifyRequest,
  reply: FastifyReply,
  schema: S,
  form: string | ((errors: FieldErrors) => ReactElement),
  run: (data: z.infer<S>) => Promise<FastifyReply>,
) {
  const page = typeof form === 'string' ? undefined : form;
  const parsed = readForm(req, reply, schema, page ? (wrong) => page(wrong.errors) : (form as string));
  if (!parsed.ok) return parsed.answer;
  return step(req, reply, () => run(parsed.data), page);
}
