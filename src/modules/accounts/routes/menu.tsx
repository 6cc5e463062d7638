/** The menu personnalisé: « Votre tableau de bord » with the declaration tiles, and the entry of each service. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { findDeclaration } from '../../../domain/declarations.js';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { problem } from '../../../shared/problem.js';
import { MenuPage } from '../../../web/pages/menu.js';
import { ServicePage } from '../../../web/pages/service.js';
import { espaceOf } from '../espaces.js';
import { listPendingDemandes } from '../candidat.js';
import { listMandats } from '../mandats.js';
import type { AppContext } from '../../../app-context.js';
import { administratorsOf, menuTiles, openSiretsFor, recentNotifications } from '../menu.js';
import { notice, tags } from './common.js';

/** SOLTéA has its own screens: its tiles open the employer's or the establishment's space. */
const SPACES: Record<string, string> = { SOLTEA_EMPLOYEURS: '/soltea/employeur', SOLTEA_ETABLISSEMENTS: '/soltea/etablissement' };

export async function menuRoutes(app: FastifyInstance) {
  app.get(
    '/menu',
    route({
      operationId: 'menuPersonnalise',
      summary: 'Menu personnalisé : tuiles des déclarations, notifications',
      tags: tags.menu,
      access: 'user',
    }),
    showMenu,
  );
  app.get(
    '/services/:code',
    route({
      operationId: 'ouvrirService',
      summary: 'Entrée d’un service (tuile) : établissements ouverts pour l’utilisateur',
      tags: tags.menu,
      access: 'user',
      params: z.object({ code: z.string().max(40) }),
    }),
    openService,
  );
}

/** What waits for the administrators: candidats, resets, and the mandates asked by tiers-déclarants. */
async function pendingCount(ctx: AppContext, espaceId: string): Promise<number> {
  const [demandes, mandats] = await Promise.all([listPendingDemandes(ctx, espaceId), listMandats(ctx, espaceId)]);
  return demandes.length + mandats.filter((m) => m.statut === 'en_attente').length;
}

async function showMenu(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const user = req.auth!.user;
  const [tiles, notifs, admins, pending, espace] = await Promise.all([
    menuTiles(ctx, user),
    recentNotifications(ctx, user.id),
    administratorsOf(ctx, user.espaceId),
    user.role === 'administrateur' ? pendingCount(ctx, user.espaceId) : Promise.resolve(0),
    espaceOf(ctx.db, user),
  ]);
  return respond(req, reply, {
    json: {
      declarations: tiles,
      notifications: notifs,
      administrateurs: admins.map((a) => ({ nom: a.nom, prenom: a.prenom })),
      demandesEnAttente: pending,
    },
    page: () => (
      <MenuPage
        ctx={pageContext(req)}
        tiles={tiles}
        notifications={notifs}
        isAdmin={user.role === 'administrateur'}
        isTiers={espace.kind === 'tiers_declarant'}
        pending={pending}
        administrators={admins}
        notice={notice(req)}
      />
    ),
  });
}

async function openService(req: FastifyRequest, reply: FastifyReply) {
  const decl = findDeclaration(String((req.params as { code: string }).code).toUpperCase());
  const sirets = decl ? await openSiretsFor(req.server.ctx, req.auth!.user, decl.code) : [];
  if (!decl || sirets.length === 0)
    return respond(req, reply, {
      problem: problem(
        'forbidden',
        'service_non_ouvert',
        'Ce service ne vous est pas ouvert : vous n’y êtes pas habilité, ou le délai d’accès de 24 heures n’est pas écoulé.',
      ),
      title: 'Service non accessible',
    });
  const json = { declaration: decl, etablissements: sirets };
  const space = SPACES[decl.code];
  if (space) return respond(req, reply, { json, redirect: space });
  return respond(req, reply, { json, page: () => <ServicePage ctx={pageContext(req)} declaration={decl} sirets={sirets} /> });
}
