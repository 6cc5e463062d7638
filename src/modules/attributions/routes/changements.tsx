/**
 * The changes of the Synthèse: « Modifier » → « Valider mon attribution », « Supprimer »,
 * « Enregistrer vos attributions », « Répliquer les fléchages », and for software the whole set at
 * once. Each goes through `changeChoices` (choix.ts), the single write path.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { messageResponse, parseBody } from '../../../shared/fields.js';
import { invalidField, problem } from '../../../shared/problem.js';
import { employerUrl } from '../../../web/pages/soltea-employeur-frame.js';
import { SynthesePage } from '../../../web/pages/soltea-employeur-synthese.js';
import { refusalOf, type ChoiceChange } from '../apply-change.js';
import { changeChoices } from '../choix.js';
import {
  firstString,
  idOf,
  lineParams,
  modifierBody,
  percentField,
  REMPLACER_SHAPE,
  remplacerBody,
  sharesOf,
  siretParams,
  versionBody,
} from '../contracts.js';
import { replicationItems } from '../history.js';
import { loadSynthese } from '../synthese.js';
import { syntheseJson } from '../synthese-views.js';
import {
  body,
  employerOf,
  employerWith,
  expectedVersion,
  incomplete,
  NOTICES,
  param,
  refusedChange,
  siretNotFound,
  tags,
  type Employer,
  type Refused,
} from './common.js';

const syntheseResponse = z.object({ campagne: z.number(), version: z.number() }).loose().describe('La synthèse à jour');

export async function changementsRoutes(app: FastifyInstance) {
  app.post(
    '/soltea/employeur/:siret/attributions/:id',
    route({
      operationId: 'modifierAttribution',
      summary: 'Modifier le pourcentage d’une attribution (« Valider mon attribution »)',
      tags,
      access: 'user',
      params: lineParams,
      body: modifierBody,
      responses: { 200: syntheseResponse },
    }),
    modifier,
  );
  app.post(
    '/soltea/employeur/:siret/attributions/:id/supprimer',
    route({
      operationId: 'supprimerAttribution',
      summary: 'Supprimer une attribution',
      tags,
      access: 'user',
      params: lineParams,
      body: versionBody,
      responses: { 200: syntheseResponse },
    }),
    supprimer,
  );
  app.post(
    '/soltea/employeur/:siret/enregistrer',
    route({
      operationId: 'enregistrerAttributions',
      summary: 'Enregistrer vos attributions : toutes les lignes sont validées',
      tags,
      access: 'user',
      params: siretParams,
      body: versionBody,
      responses: { 200: syntheseResponse },
    }),
    enregistrer,
  );
  app.put(
    '/soltea/employeur/:siret/attributions',
    route({
      operationId: 'remplacerAttributions',
      summary: 'Remplacer l’ensemble des attributions du SIRET (API), toutes les règles vérifiées, tout ou rien',
      tags,
      access: 'user',
      params: siretParams,
      body: remplacerBody,
      responses: { 200: syntheseResponse },
    }),
    remplacer,
  );
  app.post(
    '/soltea/employeur/:siret/repliquer',
    route({
      operationId: 'repliquerFlechages',
      summary: 'Répliquer les fléchages de la campagne précédente dans la synthèse',
      tags,
      access: 'user',
      params: siretParams,
      body: versionBody,
      responses: { 200: messageResponse.extend({ ajoutees: z.number(), ignorees: z.number() }).partial({ message: true }) },
    }),
    repliquer,
  );
}

/** After a change: the Synthèse for programs, back to it with the notice for browsers. */
async function changed(req: FastifyRequest, reply: FastifyReply, r: Employer, notice: string) {
  const ctx = req.server.ctx;
  return respond(req, reply, {
    json: async () => syntheseJson(await loadSynthese(ctx.db, ctx.clock.now(), r.annee, r.siret)),
    redirect: employerUrl(r.siret),
    notice,
  });
}

/** The employer of the path and the Synthèse version its form carries; else `refused`, the answer to send. */
const employerAndVersion = (req: FastifyRequest, reply: FastifyReply) =>
  employerWith(req, reply, (r): { version: number | null } | Refused => {
    const version = expectedVersion(req);
    return version === 'incomplet' ? { refused: refusedChange(req, reply, r, incomplete('synthèse')) } : { version };
  });

/** « Modifier » → « Valider mon attribution »: a wrong percentage is shown in the line's field. */
async function modifier(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const ev = await employerAndVersion(req, reply);
  if ('refused' in ev) return ev.refused;
  const { r, version } = ev;
  const id = idOf(param(req, 'id'));
  if (id === null) return siretNotFound(req, reply);
  const typed = firstString(body(req).pourcentage).slice(0, 20);
  const p = percentField.safeParse(body(req).pourcentage);
  if (!p.success) {
    const message = p.error.issues[0]!.message;
    return respond(req, reply, {
      problem: invalidField('pourcentage', message, 'pourcentage_invalide').problem,
      page: async () => (
        <SynthesePage
          ctx={pageContext(req)}
          head={r.head}
          s={await loadSynthese(ctx.db, ctx.clock.now(), r.annee, r.siret)}
          modifier={{ id, value: typed, error: message }}
          errors={{ pourcentage: message }}
        />
      ),
    });
  }
  const res = await changeChoices(ctx, { ...who(r), expectedVersion: version, change: { kind: 'modifier', id, bp: p.data } });
  if (!res.ok)
    return refusedChange(
      req,
      reply,
      r,
      res.problem,
      res.problem.kind === 'invalid' ? { modifier: { id, value: typed, error: res.errors[0]!.message } } : {},
    );
  return changed(req, reply, r, 'modifie');
}

const who = (r: Employer) => ({ annee: r.annee, siret: r.siret, actor: r.actor });

/** A change of the Synthèse that carries only the version of its form. */
async function versionedChange(req: FastifyRequest, reply: FastifyReply, change: (r: Employer) => ChoiceChange | null, notice: string) {
  const r = await employerOf(req);
  if (!r) return siretNotFound(req, reply);
  const c = change(r);
  if (!c) return siretNotFound(req, reply);
  const version = expectedVersion(req);
  if (version === 'incomplet') return refusedChange(req, reply, r, incomplete('synthèse'));
  const res = await changeChoices(req.server.ctx, { ...who(r), expectedVersion: version, change: c });
  if (!res.ok) return refusedChange(req, reply, r, res.problem);
  return changed(req, reply, r, notice);
}

async function supprimer(req: FastifyRequest, reply: FastifyReply) {
  const id = idOf(param(req, 'id'));
  return versionedChange(req, reply, () => (id === null ? null : { kind: 'supprimer', id }), 'supprime');
}

async function enregistrer(req: FastifyRequest, reply: FastifyReply) {
  return versionedChange(req, reply, () => ({ kind: 'valider' }), 'enregistre');
}

/** The whole set, for software: every percentage checked, then every rule; all or nothing. */
async function remplacer(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const r = await employerOf(req);
  if (!r) return siretNotFound(req, reply);
  const parsed = parseBody(remplacerBody, req.body);
  if (!parsed.ok) return respond(req, reply, { problem: problem('invalid', 'corps_invalide', REMPLACER_SHAPE) });
  const shares = sharesOf(parsed.data.attributions);
  if (!shares.ok)
    return respond(req, reply, {
      problem: problem('invalid', 'pourcentage_invalide', 'Un pourcentage est incorrect : rien n’a été enregistré.', {
        errors: shares.errors,
      }),
    });
  const res = await changeChoices(ctx, {
    ...who(r),
    expectedVersion: parsed.data.version ?? null,
    change: { kind: 'remplacer', items: shares.items, valider: parsed.data.valider ?? true },
    source: 'api',
  });
  if (!res.ok) return respond(req, reply, { problem: res.problem });
  const s = await loadSynthese(ctx.db, ctx.clock.now(), r.annee, r.siret);
  return respond(req, reply, { json: syntheseJson(s), page: () => <SynthesePage ctx={pageContext(req)} head={r.head} s={s} /> });
}

/** « Répliquer les fléchages »: last campaign's choices still habilitated, added to the Synthèse. */
async function repliquer(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const ev = await employerAndVersion(req, reply);
  if ('refused' in ev) return ev.refused;
  const { r, version } = ev;
  const rep = await replicationItems(ctx.db, r.annee, r.siret);
  if (rep.previous === 0)
    return respond(req, reply, {
      json: { ajoutees: 0, ignorees: 0, message: NOTICES['rien-a-repliquer'] },
      redirect: employerUrl(r.siret),
      notice: 'rien-a-repliquer',
    });
  if (rep.items.length === 0) {
    const msg = `Aucun fléchage de la campagne précédente ne peut être répliqué : ${rep.skipped > 1 ? `les ${rep.skipped} établissements ou formations ne sont plus habilités` : 'l’établissement ou la formation n’est plus habilité'} pour la campagne ${r.annee}.`;
    return refusedChange(req, reply, r, refusalOf('invalid', 'rien_a_repliquer', msg).problem);
  }
  // 'completer' leaves the targets already chosen as they are: `added` counts what was brought back
  const res = await changeChoices(ctx, {
    ...who(r),
    expectedVersion: version,
    change: { kind: 'completer', items: rep.items },
    source: 'repliquer',
  });
  if (!res.ok) return refusedChange(req, reply, r, res.problem);
  const something = res.added || rep.skipped;
  return respond(req, reply, {
    json: { ajoutees: res.added, ignorees: rep.skipped, ...(something ? {} : { message: NOTICES['deja-replique'] }) },
    redirect: employerUrl(r.siret),
    notice: something ? `replique-${res.added}-${rep.skipped}` : 'deja-replique',
  });
}
