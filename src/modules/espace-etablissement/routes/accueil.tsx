/** The entry of the space: the choice of establishment, « Mon établissement » and « Lien direct ». */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { publicUrl } from '../../../shared/urls.js';
import { MessagePage } from '../../../web/pages/public.js';
import { ChooserPage, spaceUrl } from '../../../web/pages/soltea-etablissement.js';
import { LienPage, MonEtablissementPage } from '../../../web/pages/soltea-etablissement-accueil.js';
import { userEstablishments } from '../access.js';
import { choicesResponse, establishmentResponse, linkQuery, linkResponse, siretParams } from '../contracts.js';
import { establishmentHome } from '../etablissement.js';
import { directLink } from '../lien.js';
import { tags, withSpace, type Space } from './common.js';

export async function accueilRoutes(app: FastifyInstance) {
  app.get(
    '/soltea/etablissement',
    route({
      operationId: 'etablissementsOuverts',
      summary: 'Les établissements dont l’utilisateur peut ouvrir l’espace',
      tags,
      access: 'user',
      responses: { 200: choicesResponse },
    }),
    showChoices,
  );
  app.get(
    '/soltea/etablissement/:siret',
    route({
      operationId: 'monEtablissement',
      summary: 'Mon établissement : les données du référentiel (UAI, catégorie, composantes, formations)',
      tags,
      access: 'user',
      params: siretParams,
      responses: { 200: establishmentResponse },
    }),
    withSpace(showEstablishment),
  );
  app.get(
    '/soltea/etablissement/:siret/lien',
    route({
      operationId: 'lienDirect',
      summary: 'Lien direct : l’adresse de la fiche publique de l’établissement et un message prêt à envoyer',
      tags,
      access: 'user',
      params: siretParams,
      querystring: linkQuery,
      responses: { 200: linkResponse },
    }),
    withSpace(showLink),
  );
}

/** With one habilitated establishment, a browser goes straight to its space. */
async function showChoices(req: FastifyRequest, reply: FastifyReply) {
  const r = await userEstablishments(req.server.ctx, req.auth!.user);
  if (!r.ok)
    return respond(req, reply, {
      problem: r.problem,
      page: () => (
        <MessagePage ctx={pageContext(req)} title="Service non accessible" type="warning">
          {r.problem.message}
        </MessagePage>
      ),
    });
  const json = { campagne: r.annee, etablissements: r.choices };
  const only = r.choices.length === 1 && r.choices[0]!.habilite ? r.choices[0]! : null;
  if (only) return respond(req, reply, { json, redirect: spaceUrl(only.siret) });
  return respond(req, reply, { json, page: () => <ChooserPage ctx={pageContext(req)} annee={r.annee} choices={r.choices} /> });
}

async function showEstablishment(req: FastifyRequest, reply: FastifyReply, s: Space) {
  const home = await establishmentHome(req.server.ctx, s.etab);
  return respond(req, reply, {
    json: { etablissement: home.view },
    page: () => <MonEtablissementPage ctx={pageContext(req)} head={s.head} view={home.view} summary={home.summary} />,
  });
}

/** Host names accepted to build the direct link when PUBLIC_URL is not set (the Host header is untrusted). */
const HOST_RE = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:]+\])(?::\d{1,5})?$/;

/** The portal's address: PUBLIC_URL, else the address the browser used when it is a plain host name. */
function portalAddress(req: FastifyRequest): string {
  const ctx = req.server.ctx;
  if (ctx.config.PUBLIC_URL) return ctx.config.PUBLIC_URL.replace(/\/$/, '');
  const host = req.host;
  return host && HOST_RE.test(host) ? `${req.protocol}://${host}` : publicUrl(ctx, '');
}

/** A program always gets the message; a browser once it asked for it (« Générer le lien »). */
async function showLink(req: FastifyRequest, reply: FastifyReply, s: Space) {
  const ctx = req.server.ctx;
  const base = portalAddress(req);
  const asked = linkQuery.safeParse(req.query).data?.generer === '1';
  return respond(req, reply, {
    json: () => directLink(ctx, s.etab, base, true),
    page: async () => {
      const link = await directLink(ctx, s.etab, base, asked);
      return <LienPage ctx={pageContext(req)} head={s.head} link={link.message ? link.lien : null} message={link.message} />;
    },
  });
}
