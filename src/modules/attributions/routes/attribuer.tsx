/**
 * « Recherche établissement » from the space of one employer SIRET, and « Attribuer »: an
 * establishment's targets (itself, its composantes, their formations) with the percentages already
 * chosen; « Enregistrer mes choix » adds the ticked ones to the Synthèse.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import type { FieldErrors } from '../../../shared/fields.js';
import { formatPercentNumber } from '../../../shared/format.js';
import { problem } from '../../../shared/problem.js';
import { AttribuerPage } from '../../../web/pages/soltea-employeur-attribuer.js';
import { EmployerSearchPage, employerUrl } from '../../../web/pages/soltea-employeur-frame.js';
import { diplomeTypes, searchEtablissements } from '../../recherche/search.js';
import { invalidCriteria, runSearch, searchJson, searchView } from '../../recherche/search-view.js';
import { searchQuerySchema } from '../../recherche/contracts.js';
import { changeChoices } from '../choix.js';
import { attribuerBody, attribuerChoices, attribuerParams, cibleOf, siretParams } from '../contracts.js';
import { loadSynthese, type Synthese } from '../synthese.js';
import { syntheseJson } from '../synthese-views.js';
import { establishmentTargets, type EstablishmentTargets } from '../targets.js';
import { body, employerOf, employerWith, expectedVersion, incomplete, param, siretNotFound, tags, type Refused } from './common.js';

const attribuerResponse = z.object({ cibles: z.any(), synthese: z.any() }).loose().describe('Les cibles et la synthèse');

export async function attribuerRoutes(app: FastifyInstance) {
  app.get(
    '/soltea/employeur/:siret/recherche',
    route({
      operationId: 'rechercheEmployeur',
      summary: 'Recherche d’établissements habilités, depuis l’espace d’un SIRET employeur',
      tags,
      access: 'user',
      params: siretParams,
      querystring: searchQuerySchema,
    }),
    search,
  );
  app.get(
    '/soltea/employeur/:siret/attribuer/:etab',
    route({
      operationId: 'ciblesEtablissement',
      summary: 'Attribuer à un établissement, ses composantes ou ses formations : les cibles et les pourcentages déjà choisis',
      tags,
      access: 'user',
      params: attribuerParams,
      responses: { 200: attribuerResponse },
    }),
    showAttribuer,
  );
  app.post(
    '/soltea/employeur/:siret/attribuer/:etab',
    route({
      operationId: 'attribuer',
      summary: 'Enregistrer mes choix : ajoute à la synthèse les cibles cochées avec leur pourcentage',
      tags,
      access: 'user',
      params: attribuerParams,
      body: attribuerBody,
      responses: { 200: z.object({ version: z.number() }).loose().describe('La synthèse à jour') },
    }),
    attribuer,
  );
}

/** The search in the employer's frame; programs get the results as the public search gives them. */
async function search(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const r = await employerOf(req);
  if (!r) return siretNotFound(req, reply);
  const run = await runSearch(ctx.db, (req.query ?? {}) as Record<string, unknown>, r.annee);
  const page = async () => (
    <EmployerSearchPage ctx={pageContext(req)} head={r.head} view={searchView(run, await diplomeTypes(ctx.db), true)} />
  );
  if (run.invalid) return respond(req, reply, { problem: invalidCriteria(run), page });
  const criteria = { ...run.parsed.criteria, annee: run.parsed.criteria.annee ?? r.annee };
  return respond(req, reply, {
    json: async () => searchJson(run.parsed, run.outcome ?? (await searchEtablissements(ctx.db, criteria))),
    page,
  });
}

const notHabilitated = (annee: number) =>
  problem(
    'not_found',
    'etablissement_non_habilite',
    `Cet établissement ne figure pas sur les listes des établissements habilités de la campagne ${annee} : il ne peut pas recevoir le solde de la taxe d’apprentissage.`,
  );

function answerNotHabilitated(req: FastifyRequest, reply: FastifyReply, annee: number) {
  const p = notHabilitated(annee);
  return respond(req, reply, { problem: p, title: 'Établissement non habilité', tone: 'error' });
}

/** The percentages already chosen for the targets of this establishment (the form shows them). */
function chosenValues(s: Synthese, t: EstablishmentTargets) {
  const values: Record<string, string> = {};
  const checked = new Set<string>();
  const byKey = new Map(s.lines.map((l) => [`${l.etablissementId}:${l.formationId ?? 0}`, l]));
  const mark = (c: string, k: string) => {
    const l = byKey.get(k);
    if (!l) return;
    checked.add(c);
    values[`pct_${c}`] = formatPercentNumber(l.pointsBase);
  };
  for (const p of t.places) mark(cibleOf({ etablissementId: p.id }), `${p.id}:0`);
  for (const f of t.formations) mark(cibleOf({ etablissementId: f.etablissementId, formationId: f.id }), `${f.etablissementId}:${f.id}`);
  return { values, checked };
}

/** The employer of the path and the targets of the establishment it names; else `refused`, the answer to send. */
const employerTargets = (req: FastifyRequest, reply: FastifyReply) =>
  employerWith(req, reply, async (r): Promise<{ targets: EstablishmentTargets } | Refused> => {
    const targets = await establishmentTargets(req.server.ctx.db, r.annee, param(req, 'etab'));
    return targets ? { targets } : { refused: answerNotHabilitated(req, reply, r.annee) };
  });

async function showAttribuer(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const et = await employerTargets(req, reply);
  if ('refused' in et) return et.refused;
  const { r, targets } = et;
  const s = await loadSynthese(ctx.db, ctx.clock.now(), r.annee, r.siret);
  const { values, checked } = chosenValues(s, targets);
  return respond(req, reply, {
    json: () => ({ cibles: targets, synthese: syntheseJson(s) }),
    page: () => (
      <AttribuerPage ctx={pageContext(req)} head={r.head} s={s} targets={targets} values={values} checked={checked} cibleOf={cibleOf} />
    ),
  });
}

/** « Enregistrer mes choix »: this establishment's targets become the ticked ones, with their percentage. */
async function attribuer(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const et = await employerTargets(req, reply);
  if ('refused' in et) return et.refused;
  const { r, targets } = et;
  const version = expectedVersion(req);
  const ticked = new Set(attribuerBody.shape.cible.parse(body(req).cible));
  const choices = attribuerChoices(targets, body(req), ticked);
  const again = (p: ReturnType<typeof incomplete>, extra: { errors?: FieldErrors; alert?: string }) =>
    respond(req, reply, {
      problem: p,
      page: async () => (
        <AttribuerPage
          ctx={pageContext(req)}
          head={r.head}
          s={await loadSynthese(ctx.db, ctx.clock.now(), r.annee, r.siret)}
          targets={targets}
          values={choices.values}
          checked={ticked}
          cibleOf={cibleOf}
          {...extra}
        />
      ),
    });
  if (version === 'incomplet') {
    const p = incomplete('page');
    return again(p, { alert: p.message });
  }
  // nothing ticked and nothing chosen here before: changeChoices answers « Choisissez au moins … »
  if (Object.keys(choices.errors).length)
    return again(problem('invalid', 'formulaire_invalide', 'Vos choix n’ont pas été enregistrés.', { errors: choices.errors }), {
      errors: choices.errors,
    });
  const change = { kind: 'ajouter' as const, items: choices.items, retirer: choices.retirer };
  const res = await changeChoices(ctx, { annee: r.annee, siret: r.siret, actor: r.actor, expectedVersion: version, change });
  if (!res.ok) {
    const placed = placeErrors(res.errors, choices.itemCible);
    const message = placed.general.length ? placed.general.join(' ') : 'Vos choix n’ont pas été enregistrés.';
    return again(
      { ...res.problem, message, errors: placed.fields },
      { errors: placed.fields, ...(placed.general.length ? { alert: message } : {}) },
    );
  }
  return respond(req, reply, {
    json: async () => syntheseJson(await loadSynthese(ctx.db, ctx.clock.now(), r.annee, r.siret)),
    redirect: employerUrl(r.siret),
    notice: 'choix',
  });
}

/** Each message of a refused change beside the percentage it is about, the others above the form. */
function placeErrors(errors: readonly { message: string; index?: number }[], itemCible: readonly string[]) {
  const fields: FieldErrors = {};
  const general: string[] = [];
  for (const e of errors) {
    if (e.index !== undefined && itemCible[e.index]) fields[`pct_${itemCible[e.index]}`] = e.message;
    else general.push(e.message);
  }
  return { fields, general };
}
