/**
 * The inscription's end: « Inscription des déclarants » and « Ajout d'un déclarant » (tiers-déclarants),
 * « Validation de l'inscription » whose « Valider l'inscription » creates the account, the page after it
 * and « Renvoyer le courriel de validation ».
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findDeclaration, ORGANISATION_TYPES } from '../../../domain/declarations.js';
import { pageContext, respond } from '../../../http/respond.js';
import { type FieldErrors } from '../../../shared/fields.js';
import { ConfirmationPage, DeclarantFormPage, DeclarantsPage, ValidationPage } from '../../../web/pages/inscription-validation.js';
import { newDeclarantSchema, removeDeclarantSchema } from '../contracts.js';
import { draftUserEmail, InscriptionError, loadDraft, resendInscriptionMail, type Draft } from '../inscription.js';
import { validateInscription } from '../inscription-account.js';
import { addDraftDeclarant, confirmDeclarants, removeDraftDeclarant } from '../inscription-choices.js';
import { meta, notice, tooManyMails } from './common.js';
import { draftIdOf, draftPage, formStep, nextStep, refuse, step, STEP_PATHS, stepDoc, stepPage } from './inscription-steps.js';
import { stepperOfDraft, stepperView } from './inscription-stepper.js';

const NEW_DECLARANT = '/inscription/declarants/nouveau';

export async function inscriptionValidationRoutes(app: FastifyInstance) {
  stepPage(app, 'declarants', (req, draft) => <DeclarantsPage ctx={pageContext(req)} stepper={stepperOfDraft(draft)} draft={draft.data} />);
  app.post(
    STEP_PATHS.declarants,
    stepDoc('confirmerDeclarants', 'Inscription : « Inscription des déclarants » terminée'),
    nextFromDeclarants,
  );
  app.get(NEW_DECLARANT, { schema: { hide: true } }, declarantForm);
  app.post(
    NEW_DECLARANT,
    stepDoc('ajouterDeclarantInscription', 'Inscription : « Ajout d’un déclarant »', newDeclarantSchema),
    addDeclarant,
  );
  app.post(
    '/inscription/declarants/supprimer',
    stepDoc('retirerDeclarantInscription', 'Inscription : retirer un déclarant ajouté', removeDeclarantSchema),
    removeDeclarant,
  );
  stepPage(app, 'confirmation', confirmationPage);
  app.post(
    STEP_PATHS.confirmation,
    stepDoc('validerInscription', 'Inscription : « Valider l’inscription » (le compte est créé)'),
    validate,
  );
  stepPage(app, 'done', validationPage);
  app.post(
    '/inscription/renvoyer',
    stepDoc('renvoyerCourrielInscription', 'Renvoyer le courriel de validation (inscription en cours)'),
    resend,
  );
}

async function nextFromDeclarants(req: FastifyRequest, reply: FastifyReply) {
  return step(req, reply, async () => {
    await confirmDeclarants(req.server.ctx, draftIdOf(req));
    return nextStep(req, reply, 'Déclarants enregistrés.', 'confirmation');
  });
}

/** « Ajout d'un déclarant » belongs to the step « Inscription des déclarants »: elsewhere, go where the draft is. */
function declarantForm(req: FastifyRequest, reply: FastifyReply) {
  return draftPage(req, reply, 'declarants', (draft) => <DeclarantFormPage ctx={pageContext(req)} stepper={stepperOfDraft(draft)} />);
}

async function addDeclarant(req: FastifyRequest, reply: FastifyReply) {
  const values = (req.body ?? {}) as Record<string, unknown>;
  const form = (errors: FieldErrors) => (
    <DeclarantFormPage
      ctx={pageContext(req)}
      stepper={stepperView('declarants', { kind: 'tiers_declarant' })}
      values={values}
      errors={errors}
    />
  );
  return formStep(req, reply, newDeclarantSchema, form, async (data) => {
    await addDraftDeclarant(req.server.ctx, draftIdOf(req), data);
    return nextStep(req, reply, 'Déclarant ajouté.', 'declarants', { status: 201 });
  });
}

async function removeDeclarant(req: FastifyRequest, reply: FastifyReply) {
  return formStep(req, reply, removeDeclarantSchema, 'Inscription des déclarants', async (data) => {
    await removeDraftDeclarant(req.server.ctx, draftIdOf(req), data.rang);
    return nextStep(req, reply, 'Déclarant retiré.', 'declarants');
  });
}

/** The rights asked for, one row per declaration kept (the registrant's). */
function rightsRows(draft: Draft) {
  const d = draft.data;
  return (d.declarations ?? []).map((code) => {
    const decl = findDeclaration(code)!;
    const right = d.rights?.[code] ?? { declarer: true, payer: decl.payable };
    return {
      declarant: `${d.prenom} ${d.nom}`,
      name: decl.name,
      description: decl.description,
      declarer: right.declarer,
      payer: right.payer && decl.payable,
      payable: decl.payable,
    };
  });
}

function confirmationPage(req: FastifyRequest, draft: Draft) {
  const d = draft.data;
  const profile = {
    kind: d.kind === 'tiers_declarant' ? 'Votre entreprise et vos clients' : 'Votre entreprise',
    organisationType: ORGANISATION_TYPES.find((o) => o.code === d.organisationType)?.label ?? '',
  };
  return <ConfirmationPage ctx={pageContext(req)} stepper={stepperOfDraft(draft)} draft={d} profile={profile} rows={rightsRows(draft)} />;
}

async function validate(req: FastifyRequest, reply: FastifyReply) {
  return step(req, reply, async () => {
    await validateInscription(req.server.ctx, draftIdOf(req), meta(req));
    return nextStep(req, reply, 'Inscription enregistrée : validez votre adresse électronique.', 'done');
  });
}

async function validationPage(req: FastifyRequest, draft: Draft) {
  const u = await draftUserEmail(req.server.ctx, draft);
  return (
    <ValidationPage
      ctx={pageContext(req)}
      draft={draft.data}
      email={u?.email ?? draft.data.email}
      validated={Boolean(u?.emailValidatedAt)}
      rows={rightsRows(draft)}
      notice={notice(req)}
    />
  );
}

async function resend(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const draft = await loadDraft(ctx, draftIdOf(req));
  if (draft?.step !== 'done') return refuse(req, reply, new InscriptionError('expired', 'Votre inscription a expiré ou n’existe pas.'));
  // the same answer, and the same limit, whether a mail goes out or not (the triplet was taken)
  if ((await resendInscriptionMail(ctx, draft)) === 'too_many')
    return respond(req, reply, {
      problem: tooManyMails('vérifiez vos courriers indésirables, puis réessayez plus tard.'),
      title: 'Trop de demandes',
    });
  return respond(req, reply, { json: { message: 'Courriel renvoyé.' }, redirect: STEP_PATHS.done, notice: 'courriel-renvoye' });
}
