/** The inscription, steps 1 to 3: « Je m'inscris », the conditions générales, the identification. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond } from '../../../http/respond.js';
import { RATE_LIMITS } from '../../../http/rate-limits.js';
import { route } from '../../../http/route.js';
import { clearCookie, cookieOptions } from '../../../http/security.js';
import { parseBody, type FieldErrors } from '../../../shared/fields.js';
import { invalidForm } from '../../../shared/problem.js';
import { CguPage, IdentificationPage, InscriptionStartPage } from '../../../web/pages/inscription.js';
import { MessagePage } from '../../../web/pages/public.js';
import { findEtablissement, listEtablissementsOfSiren } from '../../entreprises/registry-repository.js';
import { cguSchema, inscriptionStartSchema, stepResponse } from '../contracts.js';
import { confirmIdentification, decideCgu, InscriptionError, startInscription, type Draft } from '../inscription.js';
import { DRAFT_COOKIE, meta, tags } from './common.js';
import { draftIdOf, step, STEP_PATHS, stepDoc, stepPage } from './inscription-steps.js';

export async function inscriptionRoutes(app: FastifyInstance) {
  app.get('/inscription', { schema: { hide: true } }, (req, reply) =>
    respond(req, reply, { page: () => <InscriptionStartPage ctx={pageContext(req)} /> }),
  );
  app.post(
    '/inscription',
    route({
      operationId: 'commencerInscription',
      summary: 'Inscription, étape 1 : « Je m’inscris »',
      tags: tags.inscription,
      access: 'public',
      body: inscriptionStartSchema,
      rateLimits: RATE_LIMITS.inscription,
      responses: { 201: stepResponse },
    }),
    start,
  );
  stepPage(app, 'cgu', (req) => <CguPage ctx={pageContext(req)} />);
  app.post(STEP_PATHS.cgu, stepDoc('accepterConditions', 'Inscription, étape 2 : conditions générales', cguSchema), decideConditions);
  stepPage(app, 'identification', identificationPage);
  app.post(STEP_PATHS.identification, stepDoc('confirmerIdentification', 'Inscription, étape 3 : identification confirmée'), confirm);
}

async function start(req: FastifyRequest, reply: FastifyReply) {
  const values = (req.body ?? {}) as Record<string, unknown>;
  const form = (errors: FieldErrors) => <InscriptionStartPage ctx={pageContext(req)} values={values} errors={errors} />;
  const parsed = parseBody(inscriptionStartSchema, req.body);
  if (!parsed.ok) return respond(req, reply, { problem: invalidForm(parsed.errors), page: () => form(parsed.errors) });
  return step(
    req,
    reply,
    async () => {
      // the same answer whether the company or the person is already registered (docs/regles.md#comptes)
      const { draftId } = await startInscription(req.server.ctx, parsed.data, meta(req));
      reply.setCookie(DRAFT_COOKIE, draftId, cookieOptions);
      return respond(req, reply, {
        status: 201,
        json: { message: 'Inscription commencée.', etapeSuivante: 'cgu', jeton: draftId },
        redirect: STEP_PATHS.cgu,
      });
    },
    form,
  );
}

async function decideConditions(req: FastifyRequest, reply: FastifyReply) {
  const parsed = parseBody(cguSchema, req.body);
  if (!parsed.ok)
    return respond(req, reply, {
      problem: invalidForm(parsed.errors, 'Acceptez ou refusez les conditions générales.'),
      page: () => <CguPage ctx={pageContext(req)} errors={parsed.errors} />,
    });
  return step(req, reply, async () => {
    const r = await decideCgu(req.server.ctx, draftIdOf(req), parsed.data.decision === 'accepte');
    if (r === 'accepted')
      return respond(req, reply, {
        json: { message: 'Conditions acceptées.', etapeSuivante: 'identification' },
        redirect: STEP_PATHS.identification,
      });
    clearCookie(reply, DRAFT_COOKIE);
    return respond(req, reply, {
      json: { message: 'Inscription abandonnée : les conditions générales ont été refusées.' },
      page: () => (
        <MessagePage ctx={pageContext(req)} title="Inscription abandonnée" type="info">
          Vous avez refusé les conditions générales d’utilisation : votre inscription est abandonnée et aucune donnée n’a été conservée.
        </MessagePage>
      ),
    });
  });
}

async function identificationPage(req: FastifyRequest, draft: Draft) {
  const db = req.server.ctx.db;
  const etab = await findEtablissement(db, draft.data.siret);
  if (!etab) throw new InscriptionError('expired', 'Cet établissement n’est plus dans le répertoire. Recommencez l’inscription.');
  const siege = etab.estSiege
    ? null
    : (await listEtablissementsOfSiren(db, draft.data.siren, { includeClosed: false })).find((e) => e.estSiege);
  return (
    <IdentificationPage
      ctx={pageContext(req)}
      etab={{
        ...etab,
        raisonSociale: etab.entreprise.raisonSociale,
        siege: siege ? { adresse: siege.adresse, codePostal: siege.codePostal, libelleCommune: siege.libelleCommune } : null,
      }}
    />
  );
}

async function confirm(req: FastifyRequest, reply: FastifyReply) {
  return step(req, reply, async () => {
    await confirmIdentification(req.server.ctx, draftIdOf(req));
    return respond(req, reply, {
      json: { message: 'Identification confirmée.', etapeSuivante: 'password' },
      redirect: STEP_PATHS.password,
    });
  });
}
