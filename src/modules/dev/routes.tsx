/**
 * Development only (no SMTP_URL, NODE_ENV ≠ production): the mail outbox readable in the browser,
 * so a person trying the demo can follow validation and reset links.
 */
import type { FastifyInstance } from 'fastify';
import { listOutbox } from '../../infra/mail.js';
import { pageContext, sendPage } from '../../http/render.js';
import { Layout } from '../../web/layout.js';
import { formatDateTime } from '../../web/pages/menu.js';

export async function devRoutes(app: FastifyInstance) {
  app.get('/dev/boite-mail', { schema: { hide: true } }, async (req, reply) => {
    const mails = await listOutbox(app.ctx.db, 50);
    if (req.headers.accept?.includes('application/json') && !req.headers.accept.includes('text/html')) return reply.send({ mails });
    return sendPage(
      reply,
      <Layout ctx={pageContext(req)} title="Boîte mail de développement">
        <h1>Boîte mail de développement</h1>
        <p>Sans serveur SMTP configuré (SMTP_URL), les courriels sont conservés ici. Les plus récents d’abord.</p>
        {mails.length === 0 ? <p>Aucun courriel.</p> : null}
        {mails.map((m) => (
          <article key={m.id} className="fr-card fr-p-3w fr-mb-2w">
            <h2 className="fr-h6">{m.subject}</h2>
            <p className="fr-text--sm">
              À : {m.to} · {formatDateTime(m.createdAt)}
            </p>
            <div className="mail-body">
              {m.text.split(/(https?:\/\/\S+)/).map((part, i) =>
                /^https?:\/\//.test(part) ? (
                  <a key={i} href={part.replace(/^https?:\/\/[^/]+/, '')}>
                    {part}
                  </a>
                ) : (
                  <span key={i}>{part}</span>
                ),
              )}
            </div>
          </article>
        ))}
      </Layout>,
    );
  });
}
