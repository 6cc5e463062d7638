/**
 * SOLTéA public pages (PRODUCT.md §4, §4.2): the home, « Recherche établissement », the fiche
 * établissement (its address is the stable direct link), and the entry of « SOLTéA - Employeurs »
 * (the SIRETs the user acts for, and the same search). Every route answers a page, or JSON when the
 * client asks for it (Accept: application/json), with the same French messages.
 */
import { sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { sendJsonErrors, wantsJson } from '../../http/legacy.js';
import { pageContext, sendPage } from '../../http/respond.js';
import { requireUser } from '../../http/security.js';
import { FicheIntrouvablePage, FichePage } from '../../web/pages/soltea-fiche.js';
import { SolteaAccueilPage } from '../../web/pages/soltea-accueil.js';
import { SolteaEmployeurPage } from '../../web/pages/soltea-employeur.js';
import { RecherchePage, type SearchView } from '../../web/pages/soltea-recherche.js';
import { MessagePage } from '../../web/pages/public.js';
import { employerProgress } from '../attributions/progress.js';
import { EMPLOYER_PAGE_SIZE, employerSirets, filterEmployerSirets } from '../attributions/scope.js';
import { currentCampaign } from '../campagnes/repository.js';
import { publicUrl } from '../../shared/urls.js';
import { MAX_FIELD_LENGTH, PAGE_SIZE, parseCriteria, type ParsedCriteria } from './criteria.js';
import { fichePath, loadFiche, type Fiche } from './fiche.js';
import { currentAnnee, diplomeTypes, searchEtablissements, type SearchOutcome } from './search.js';

const tags = ['SOLTéA - Recherche'];

/** The query string of the search, documented for the API (the handler checks it itself). */
export const searchQuerySchema = z.object({
  q: z
    .string()
    .max(MAX_FIELD_LENGTH)
    .optional()
    .describe('Nom de l’établissement, SIRET (14 chiffres), SIREN (9 chiffres) ou code UAI (7 chiffres et une lettre)'),
  lieu: z.string().max(MAX_FIELD_LENGTH).optional().describe('Ville, code postal (5 chiffres), code ou nom de département, nom de région'),
  autourDe: z
    .string()
    .max(MAX_FIELD_LENGTH)
    .optional()
    .describe('Commune autour de laquelle chercher (nom, « Tours (37) » ou code postal)'),
  rayonKm: z.string().optional().describe('Rayon autour de la commune, en km (1 à 200, 10 par défaut)'),
  formation: z.string().max(MAX_FIELD_LENGTH).optional().describe('Mots de l’intitulé de la formation, ou son code diplôme (CFD)'),
  niveau: z.string().optional().describe('Niveau du cadre national des certifications, 3 à 8'),
  rncp: z.string().optional().describe('Code RNCP (RNCP12345 ou 12345)'),
  type: z.string().optional().describe('Type de diplôme (BTS, BAC PRO, CAP…)'),
  categorie: z.string().optional().describe('Catégorie de l’article L. 6241-5 du code du travail (1° à 13°)'),
  liste: z.enum(['regionale', 'nationale']).optional().describe('Liste d’habilitation'),
  page: z.string().optional().describe(`Page de résultats (${PAGE_SIZE} par page)`),
  annee: z.string().optional().describe('Campagne (par défaut la plus récente du référentiel)'),
});

function resultJson(o: SearchOutcome) {
  return o.results.map((r) => ({ ...r, lien: fichePath(r.siret) }));
}

function searchJson(p: ParsedCriteria, o: SearchOutcome | null) {
  return {
    annee: o?.annee ?? p.criteria.annee,
    total: o?.total ?? 0,
    page: p.criteria.page,
    pages: o?.pages ?? 0,
    parPage: PAGE_SIZE,
    criteres: p.criteria,
    criteresRetenus: o?.understood ?? [],
    messages: o?.fieldMessages ?? {},
    avertissements: p.notices,
    resultats: o ? resultJson(o) : [],
  };
}

function ficheJson(f: Fiche, directLink: string) {
  return { ...f, lienDirect: directLink };
}

const valuesOf = (q: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(q).map(([k, v]) => [k, String(Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).slice(0, MAX_FIELD_LENGTH)]),
  );

export async function rechercheRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;

  /** Parses, searches (unless a criterion is wrong), and returns what both pages show. */
  const runSearch = async (
    req: FastifyRequest,
    forceSearch: boolean,
  ): Promise<{ parsed: ParsedCriteria; outcome: SearchOutcome | null; view: SearchView; status: number }> => {
    const query = (req.query ?? {}) as Record<string, unknown>;
    const parsed = parseCriteria(query);
    const wrong = Object.keys(parsed.errors).length > 0;
    const outcome = !wrong && (parsed.submitted || forceSearch) ? await searchEtablissements(ctx.db, parsed.criteria) : null;
    const types = wantsJson(req) ? [] : await diplomeTypes(ctx.db);
    const values = valuesOf(query);
    if (parsed.criteria.q) values.q = parsed.criteria.q;
    const view: SearchView = {
      criteria: parsed.criteria,
      values,
      errors: { ...(outcome?.fieldMessages ?? {}), ...parsed.errors },
      invalid: wrong,
      notices: parsed.notices,
      outcome: outcome ?? undefined,
      types,
    };
    // Messages of criteria that were merely ignored (no letter, no digit) are not errors on the field.
    for (const [k, m] of Object.entries(outcome?.fieldMessages ?? {})) if (m.includes('ignoré')) delete view.errors![k];
    return { parsed, outcome, view, status: wrong ? 400 : 200 };
  };

  app.get(
    '/soltea',
    { schema: { summary: 'Accueil SOLTéA : présentation, accès employeur et établissement, recherche', tags } },
    async (req, reply) => {
      const annee = await currentAnnee(ctx.db);
      let count = 0;
      if (annee !== null) {
        const r = (await ctx.db.execute(
          sql`select count(*) as n from ref_etablissements where annee = ${annee} and parent_id is null`,
        )) as unknown as { rows: { n: number | string }[] };
        count = Number(r.rows[0]?.n ?? 0);
      }
      if (wantsJson(req))
        return reply.send({
          annee,
          etablissementsHabilites: count,
          recherche: '/soltea/recherche',
          employeur: '/soltea/employeur',
          etablissement: '/soltea/etablissement',
        });
      return sendPage(reply, <SolteaAccueilPage ctx={pageContext(req)} annee={annee} etablissements={count} />);
    },
  );

  app.get(
    '/soltea/recherche',
    {
      schema: {
        summary: 'Recherche établissement : par nom, SIRET ou UAI, lieu ou distance, formation ; 20 résultats par page',
        description:
          'Critères combinables. Tri : identifiant ou nom exact d’abord, puis pertinence, puis distance (quand une commune de référence est connue), puis nom. Erreur 400 avec un message par champ incorrect.',
        tags,
        querystring: searchQuerySchema,
      },
    },
    async (req, reply) => {
      const { parsed, outcome, view, status } = await runSearch(req, false);
      if (wantsJson(req)) {
        if (status !== 200) return sendJsonErrors(reply, status, 'Un critère de recherche est incorrect.', parsed.errors);
        return reply.send(searchJson(parsed, outcome ?? (await searchEtablissements(ctx.db, parsed.criteria))));
      }
      return sendPage(reply, <RecherchePage ctx={pageContext(req)} view={view} />, status);
    },
  );

  app.get(
    '/soltea/etablissements/:siret',
    {
      schema: {
        summary: 'Fiche établissement : identité, UAI, catégorie, liste, composantes, formations, contacts, sites ; lien direct stable',
        tags,
        params: z.object({ siret: z.string().describe('SIRET (14 chiffres)') }),
        querystring: z.object({ annee: z.string().optional().describe('Campagne (par défaut la plus récente où figure l’établissement)') }),
      },
    },
    async (req, reply) => {
      const siret = String((req.params as Record<string, unknown>).siret ?? '').replace(/\s/g, '');
      const rawAnnee = String((req.query as Record<string, unknown>)?.annee ?? '').trim();
      const annee = /^\d{4}$/.test(rawAnnee) ? Number(rawAnnee) : null;
      if (rawAnnee && annee === null) {
        const message = 'La campagne doit être une année sur quatre chiffres (exemple : 2025).';
        return wantsJson(req)
          ? sendJsonErrors(reply, 400, message, { annee: message })
          : sendPage(
              reply,
              <MessagePage ctx={pageContext(req)} title="Campagne incorrecte" type="error">
                {message}
              </MessagePage>,
              400,
            );
      }
      const fiche = await loadFiche(ctx.db, siret, annee);
      if (!fiche) {
        const message = /^\d{14}$/.test(siret)
          ? `Aucun établissement habilité ne porte le SIRET ${siret}${annee !== null ? ` pour la campagne ${annee}` : ''}.`
          : 'Un SIRET comporte 14 chiffres.';
        return wantsJson(req)
          ? sendJsonErrors(reply, 404, message)
          : sendPage(reply, <FicheIntrouvablePage ctx={pageContext(req)} siret={siret.slice(0, 40)} annee={annee} />, 404);
      }
      const directLink = publicUrl(ctx, fichePath(fiche.siret));
      if (wantsJson(req)) return reply.send(ficheJson(fiche, directLink));
      return sendPage(
        reply,
        <FichePage ctx={pageContext(req)} fiche={fiche} directLink={directLink} currentAnnee={await currentAnnee(ctx.db)} />,
      );
    },
  );

  const notOpen = (req: FastifyRequest, reply: FastifyReply) => {
    const msg =
      'Ce service ne vous est pas ouvert : vous n’êtes pas habilité à « SOLTéA - Employeurs », ou le délai d’accès de 24 heures n’est pas écoulé.';
    return wantsJson(req)
      ? sendJsonErrors(reply, 403, msg)
      : sendPage(
          reply,
          <MessagePage ctx={pageContext(req)} title="Service non accessible" type="warning">
            {msg}
          </MessagePage>,
          403,
        );
  };

  app.get(
    '/soltea/employeur',
    {
      preValidation: requireUser(),
      schema: {
        summary: 'SOLTéA - Employeurs : établissements pour lesquels l’utilisateur agit, et recherche d’établissements habilités',
        tags: ['SOLTéA - Employeurs'],
        querystring: searchQuerySchema,
      },
    },
    async (req, reply) => {
      const campaign = await currentCampaign(ctx);
      const sirets = await employerSirets(ctx, req.auth!.user, campaign.annee);
      if (sirets.length === 0) return notOpen(req, reply);
      const { parsed, outcome, view, status } = await runSearch(req, false);
      if (wantsJson(req)) {
        if (status !== 200) return sendJsonErrors(reply, status, 'Un critère de recherche est incorrect.', parsed.errors);
        return reply.send({
          campagne: campaign.annee,
          etablissements: sirets.map((s) => ({ ...s, synthese: s.indisponible ? null : `/soltea/employeur/${s.siret}` })),
          recherche: parsed.submitted ? searchJson(parsed, outcome) : null,
        });
      }
      // a tiers-déclarant may act for hundreds of clients: the list is filtered and paged
      const q = (req.query ?? {}) as Record<string, unknown>;
      const filtre = String(q.siretFiltre ?? '')
        .trim()
        .slice(0, MAX_FIELD_LENGTH);
      // those the person can act for first (each group in SIRET order)
      const list = filterEmployerSirets(sirets, filtre).sort((a, b) => Number(a.indisponible !== null) - Number(b.indisponible !== null));
      const pages = Math.max(1, Math.ceil(list.length / EMPLOYER_PAGE_SIZE));
      const pageNo = Math.min(pages, Math.max(1, Number.parseInt(String(q.siretPage ?? '1'), 10) || 1));
      const shown = list.slice((pageNo - 1) * EMPLOYER_PAGE_SIZE, pageNo * EMPLOYER_PAGE_SIZE);
      const progress = await employerProgress(
        ctx.db,
        campaign.annee,
        shown.filter((s) => !s.indisponible).map((s) => s.siret),
      );
      return sendPage(
        reply,
        <SolteaEmployeurPage
          ctx={pageContext(req)}
          annee={campaign.annee}
          sirets={shown.map((s) => ({ ...s, ...progress.get(s.siret) }))}
          liste={{
            total: sirets.length,
            trouves: list.length,
            filtre,
            page: pageNo,
            pages,
            usable: sirets.filter((s) => !s.indisponible).map((s) => s.siret),
            clients: sirets.some((s) => s.via === 'client'),
          }}
          view={view}
        />,
        status,
      );
    },
  );
}
