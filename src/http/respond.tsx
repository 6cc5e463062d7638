/**
 * One way to answer. Every route serves two audiences from the same handler: a browser posting a form
 * (it gets a page, or a 303 after a change) and a program sending JSON (it gets JSON, and problems as
 * RFC 9457 documents). A handler says what it has to say once, with `respond`:
 *
 *   respond(req, reply, { json: { message }, redirect: '/gestion/declarants', notice: 'ajoute' })
 *   respond(req, reply, { json: () => view, page: () => <Page … /> })
 *   respond(req, reply, { problem, page: () => <Form errors={problem.errors} … /> })
 *
 * A form is read with its contract by `readForm`, which answers a wrong one itself.
 *
 * The status of a problem comes from its kind (problems.ts); without a page of its own, a problem is
 * shown on the generic message page.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { z } from 'zod';
import { parseBody, type FieldErrors } from '../shared/fields.js';
import { invalidForm, type Problem } from '../shared/problem.js';
import { withQuery } from '../shared/urls.js';
import type { PageContext } from '../web/layout.js';
import { MessagePage } from '../web/pages/public.js';
import { PROBLEM_CONTENT_TYPE, problemDocument, STATUS_OF, TITLE_OF } from './problems.js';

type Lazy<T> = T | (() => T | Promise<T>);
type PageOf = () => ReactElement | Promise<ReactElement>;
type Tone = 'success' | 'info' | 'warning' | 'error';

export type Answer =
  /** a page for browsers, JSON for programs (a page alone: a screen that only browsers use) */
  | { json?: Lazy<unknown>; page: PageOf; status?: number }
  /** after a change: 303 to `redirect` (with a notice code shown there) for browsers, JSON for programs */
  | { json: Lazy<unknown>; redirect: string; notice?: string; status?: number }
  /** a refusal: the problem's status; its page, or the message page (its title and tone: by default the status's) */
  | { problem: Problem; page?: PageOf; title?: string; tone?: Tone }
  /** a sentence: `{ message }` for programs, the message page of that title and tone for browsers */
  | { message: string; title: string; tone: Tone; status?: number }
  /** a refusal that sends a browser elsewhere (a step that is not the current one, an expired link) */
  | { problem: Problem; redirect: string };

/** A JSON client (payroll software) asked; browsers send forms and get pages. */
export function wantsJson(req: FastifyRequest): boolean {
  const ct = req.headers['content-type'] ?? '';
  const accept = req.headers.accept ?? '';
  return (
    ct.includes('application/json') ||
    ((accept.includes('application/json') || accept.includes('application/problem+json')) && !accept.includes('text/html'))
  );
}

const resolve = async <T,>(v: Lazy<T>): Promise<T> => (typeof v === 'function' ? await (v as () => T | Promise<T>)() : v);

export async function respond(req: FastifyRequest, reply: FastifyReply, answer: Answer): Promise<FastifyReply> {
  const json = wantsJson(req);
  if ('problem' in answer) {
    if (answer.problem.retryAfterSeconds) reply.header('retry-after', String(answer.problem.retryAfterSeconds));
    const status = STATUS_OF[answer.problem.kind];
    if (json) return sendProblem(reply, answer.problem);
    if ('redirect' in answer) return redirect(reply, answer.redirect);
    if (answer.page) return sendPage(reply, await answer.page(), status);
    const tone = answer.tone ?? (status >= 500 ? 'error' : status === 409 || status === 429 ? 'warning' : 'error');
    return sendPage(reply, messagePage(req, answer.title ?? TITLE_OF[answer.problem.kind], tone, answer.problem.message), status);
  }
  if ('message' in answer) {
    if (json) return reply.code(answer.status ?? 200).send({ message: answer.message });
    return sendPage(reply, messagePage(req, answer.title, answer.tone, answer.message), answer.status ?? 200);
  }
  if (json && answer.json !== undefined) return reply.code(answer.status ?? 200).send(await resolve(answer.json));
  if ('redirect' in answer) return redirect(reply, answer.redirect, answer.notice);
  return sendPage(reply, await answer.page(), answer.status ?? 200);
}

function messagePage(req: FastifyRequest, title: string, tone: Tone, text: string): ReactElement {
  return (
    <MessagePage ctx={pageContext(req)} title={title} type={tone}>
      {text}
    </MessagePage>
  );
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  const doc = problemDocument(p);
  if (p.retryAfterSeconds) reply.header('retry-after', String(p.retryAfterSeconds));
  return reply.code(doc.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(doc));
}

export function sendPage(reply: FastifyReply, page: ReactElement, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send('<!DOCTYPE html>' + renderToStaticMarkup(page));
}

/** A file to download (CSV exports): never cached, named. */
export function sendFile(reply: FastifyReply, file: { name: string; type: string; body: string | Buffer }): FastifyReply {
  return reply
    .header('content-type', file.type)
    .header('content-disposition', `attachment; filename="${file.name.replace(/["\\\r\n]/g, '_')}"`)
    .header('cache-control', 'no-store')
    .send(file.body);
}

export function pageContext(req: FastifyRequest): PageContext {
  const ctx: PageContext = { csrfToken: req.csrfToken, viewer: req.auth?.viewer ?? null, devTools: req.server.ctx.config.devTools };
  // under /operateur, the operator's header (with the agent once both factors are passed)
  if (req.url.startsWith('/operateur')) ctx.agent = req.agent?.stage === 'complete' ? req.agent.viewer : null;
  return ctx;
}

/** Redirect after a successful POST (PRG), with an optional notice code shown on the next page. */
export function redirect(reply: FastifyReply, to: string, notice?: string): FastifyReply {
  return reply
    .code(303)
    .header('location', notice ? withQuery(to, { notice }) : to)
    .send();
}

/** What a wrong form sent: its values (to fill the form again) and one French message per field. */
export interface WrongForm {
  values: Record<string, unknown>;
  errors: FieldErrors;
}

/**
 * A form (the body, or `input`: a query) read with its contract. A wrong one is answered here, as every
 * form of the house answers it: 400 `formulaire_invalide` with the fields' errors for programs; for
 * browsers the form again (`form`), or the message page of that title (a form without a page of its own).
 *
 *   const parsed = readForm(req, reply, loginSchema, (wrong) => <LoginPage ctx={pageContext(req)} {...wrong} />);
 *   if (!parsed.ok) return parsed.answer;
 */
export function readForm<S extends z.ZodType>(
  req: FastifyRequest,
  reply: FastifyReply,
  schema: S,
  form: string | ((wrong: WrongForm) => ReactElement | Promise<ReactElement>),
  input: unknown = req.body,
): { ok: true; data: z.infer<S> } | { ok: false; answer: Promise<FastifyReply> } {
  const parsed = parseBody(schema, input);
  if (parsed.ok) return parsed;
  const problem = invalidForm(parsed.errors);
  const wrong = { values: parsed.values, errors: parsed.errors };
  return {
    ok: false,
    answer: respond(req, reply, typeof form === 'string' ? { problem, title: form } : { problem, page: () => form(wrong) }),
  };
}
