/**
 * The inscription, steps 1 to 3: « Je m'inscris », the conditions générales, the identification; and the
 * two moves every step offers: « Étape précédente » and « Abandonner l'inscription » (after its
 * confirmation page).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond } from '../../../http/respond.js';
import { RATE_LIMITS } from '../../../http/rate-limits.js';
import { route } from '../../../http/route.js';
import { clearCookie, cookieOptions } from '../../../http/security.js';
import { parseBody, type FieldErrors } from '../../../shared/fields.js';
import { invalidForm } from '../../../shared/problem.js';
import { CguPage, IdentificationPage, InscriptionStartPage } from '../../../web/pages/inscription.js';
import { AbandonPage } from '../../../web/pages/inscription-validation.js';
import { MessagePage } from '../../../web/pages/public.js';
import { findEtablissement, listEtablissementsOfSiren } from '../../entreprises/registry-repository.js';
import { backSchema, cguSchema, inscriptionStartSchema, stepResponse } from '../contracts.js';
import {
  abandonInscription,
  confirmIdentification,
  decideCgu,
  goBack,
  InscriptionError,
  startInscription,
  type Draft,
} from '../inscription.js';
import type { Step } from '../inscription-path.js';
import { DRAFT_COOKIE, meta, tags } from './common.js';
import { draftIdOf, draftPage, formStep, nextStep, step, STEP_PATHS, stepDoc, stepPage } from './inscription-steps.js';
import { stepperOfDraft, stepperView } from './inscription-stepper.js';

const startPage = (req: FastifyRequest, values?: Record<string, unknown>, errors?: FieldErrors) => (
  <InscriptionStartPage ctx={pageContext(req)} stepper={stepperView('coordonnees')} values={values} errors={errors} />
);

export async function inscriptionRoutes(app: FastifyInstance) {
  app.get('/inscription', { schema: { hide: true } }, (req, reply) => respond(req, reply, { page: () => startPage(req) }));
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
  stepPage(app, 'cgu', (req, draft) => <CguPage ctx={pageContext(req)} stepper={stepperOfDraft(draft)} />);
  app.post(STEP_PATHS.cgu, stepDoc('accepterConditions', 'Inscription, étape 2 : conditions générales', cguSchema), decideConditions);
  stepPage(app, 'identification', identificationPage);
  app.post(STEP_PATHS.identification, stepDoc('confirmerIdentification', 'Inscription, étape 3 : identification confirmée'), confirm);
  app.post(
    '/inscription/etape-precedente',
    stepDoc('etapePrecedente', 'Inscription : « Étape précédente » (depuis l’étape où en est l’inscription)', backSchema),
    back,
  );
  app.get('/inscription/abandonner', { schema: { hide: true } }, abandonPage);
  app.post('/inscription/abandonner', stepDoc('abandonnerInscription', 'Inscription : « Abandonner l’inscription »'), abandon);
}

async function start(req: FastifyRequest, reply: FastifyReply) {
  const values = (req.body ?? {}) as Record<string, unknown>;
  const form = (errors: FieldErrors) => startPage(req, values, errors);
  return formStep(req, reply, inscriptionStartSchema, form, async (data) => {
    // the same answer whether the company or the person is already registered (docs/regles.md#comptes)
    const { draftId } = await startInscription(req.server.ctx, data, meta(req));
    reply.setCookie(DRAFT_COOKIE, draftId, cookieOptions);
    return nextStep(req, reply, 'Inscription commencée.', 'cgu', { status: 201, jeton: draftId });
  });
}

async function decideConditions(req: FastifyRequest, reply: FastifyReply) {
  const parsed = parseBody(cguSchema, req.body);
  if (!parsed.ok)
    return respond(req, reply, {
      problem: invalidForm(parsed.errors, 'Acceptez ou refusez les conditions générales.'),
      page: () => <CguPage ctx={pageContext(req)} stepper={stepperView('cgu')} errors={parsed.errors} />,
    });
  return step(req, reply, async () => {
    const r = await decideCgu(req.server.ctx, draftIdOf(req), parsed.data.decision === 'accepte');
    if (r === 'accepted') return nextStep(req, reply, 'Conditions acceptées.', 'identification');
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

/**
 * « Votre établissement de rattachement »: its address in the registry is the principal one; the mail
 * of the company goes to its siège, the address of correspondence (the same when it is the siège).
 */
async function identificationPage(req: FastifyRequest, draft: Draft) {
  const db = req.server.ctx.db;
  const etab = await findEtablissement(db, draft.data.siret);
  if (!etab) throw new InscriptionError('expired', 'Cet établissement n’est plus dans le répertoire. Recommencez l’inscription.');
  const siege = etab.estSiege
    ? etab
    : ((await listEtablissementsOfSiren(db, draft.data.siren, { includeClosed: false })).find((e) => e.estSiege) ?? etab);
  const address = (a: typeof siege) => ({ adresse: a.adresse, codePostal: a.codePostal, libelleCommune: a.libelleCommune });
  return (
    <IdentificationPage
      ctx={pageContext(req)}
      stepper={stepperOfDraft(draft)}
      draft={draft.data}
      etab={{
        siret: etab.siret,
        raisonSociale: etab.entreprise.raisonSociale,
        denomination: etab.denomination,
        principale: address(etab),
        correspondance: address(siege),
      }}
    />
  );
}

async function confirm(req: FastifyRequest, reply: FastifyReply) {
  return step(req, reply, async () => {
    await confirmIdentification(req.server.ctx, draftIdOf(req));
    return nextStep(req, reply, 'Identification confirmée.', 'password');
  });
}

/** « Étape précédente »: from the step named in the form, which must be the draft's. */
async function back(req: FastifyRequest, reply: FastifyReply) {
  return formStep(req, reply, backSchema, 'Étape précédente', async (data) => {
    const from = data.etape as Step;
    if (!(from in STEP_PATHS)) throw new InscriptionError('invalid', 'Cette étape de l’inscription n’existe pas.', 'etape');
    const previous = await goBack(req.server.ctx, draftIdOf(req), from);
    return nextStep(req, reply, 'Retour à l’étape précédente.', previous);
  });
}

/** The confirmation of « Abandonner l'inscription », with the way back to the step the draft is at. */
function abandonPage(req: FastifyRequest, reply: FastifyReply) {
  return draftPage(req, reply, undefined, (draft) => <AbandonPage ctx={pageContext(req)} resume={STEP_PATHS[draft.step]} />);
}

async function abandon(req: FastifyRequest, reply: FastifyReply) {
  return step(req, reply, async () => {
    await abandonInscription(req.server.ctx, draftIdOf(req), meta(req));
    clearCookie(reply, DRAFT_COOKIE);
    return respond(req, reply, {
      json: { message: 'Inscription abandonnée : les informations saisies ont été effacées.' },
      page: () => (
        <MessagePage ctx={pageContext(req)} title="Inscription abandonnée" type="info">
          Votre inscription est abandonnée : les informations que vous aviez saisies ont été effacées. Vous pouvez recommencer à tout moment
          avec « Je crée mon compte ».
        </MessagePage>
      ),
    });
  });
}
