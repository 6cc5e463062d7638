/**
 * The fiche établissement (public): its address `/soltea/etablissements/<SIRET>` is the stable direct
 * link an establishment sends to companies; `?annee=` shows another campaign.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { parseBody } from '../../../shared/fields.js';
import { invalidField, notFound } from '../../../shared/problem.js';
import { publicUrl } from '../../../shared/urls.js';
import { MessagePage } from '../../../web/pages/public.js';
import { FicheIntrouvablePage, FichePage } from '../../../web/pages/soltea-fiche.js';
import { CAMPAGNE_INCORRECTE, ficheParams, ficheQuery } from '../contracts.js';
import { fichePath, loadFiche } from '../fiche.js';
import { currentAnnee } from '../search.js';
import { tags } from './recherche.js';

const ficheResponse = z.object({ siret: z.string(), nom: z.string(), lienDirect: z.string() }).loose().describe('La fiche établissement');

export async function ficheRoutes(app: FastifyInstance) {
  app.get(
    '/soltea/etablissements/:siret',
    route({
      operationId: 'ficheEtablissement',
      summary: 'Fiche établissement : identité, UAI, catégorie, liste, composantes, formations, contacts, sites ; lien direct stable',
      tags,
      access: 'public',
      params: ficheParams,
      querystring: ficheQuery,
      responses: { 200: ficheResponse },
    }),
    showFiche,
  );
}

async function showFiche(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const siret = ficheParams.parse(req.params).siret;
  const q = parseBody(ficheQuery, req.query);
  if (!q.ok)
    return respond(req, reply, {
      problem: invalidField('annee', CAMPAGNE_INCORRECTE, 'campagne_invalide').problem,
      page: () => (
        <MessagePage ctx={pageContext(req)} title="Campagne incorrecte" type="error">
          {CAMPAGNE_INCORRECTE}
        </MessagePage>
      ),
    });
  const annee = q.data.annee;
  const fiche = await loadFiche(ctx.db, siret, annee);
  if (!fiche) {
    const message = /^\d{14}$/.test(siret)
      ? `Aucun établissement habilité ne porte le SIRET ${siret}${annee !== null ? ` pour la campagne ${annee}` : ''}.`
      : 'Un SIRET comporte 14 chiffres.';
    return respond(req, reply, {
      problem: notFound(message, 'etablissement_introuvable').problem,
      page: () => <FicheIntrouvablePage ctx={pageContext(req)} siret={siret.slice(0, 40)} annee={annee} />,
    });
  }
  const lienDirect = publicUrl(ctx, fichePath(fiche.siret));
  return respond(req, reply, {
    json: { ...fiche, lienDirect },
    page: async () => <FichePage ctx={pageContext(req)} fiche={fiche} directLink={lienDirect} currentAnnee={await currentAnnee(ctx.db)} />,
  });
}
