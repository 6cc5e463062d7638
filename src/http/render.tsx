import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { PageContext } from '../web/layout.js';

export function sendPage(reply: FastifyReply, page: ReactElement, status = 200) {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send('<!DOCTYPE html>' + renderToStaticMarkup(page));
}

export function pageContext(req: FastifyRequest): PageContext {
  return { csrfToken: req.csrfToken, viewer: req.auth?.viewer ?? null, devOutbox: req.server.ctx.config.devOutbox };
}

/** Redirect after a successful POST (PRG), with an optional notice code shown on the next page. */
export function redirect(reply: FastifyReply, to: string, notice?: string) {
  const url = notice ? `${to}${to.includes('?') ? '&' : '?'}notice=${encodeURIComponent(notice)}` : to;
  return reply.code(303).header('location', url).send();
}
