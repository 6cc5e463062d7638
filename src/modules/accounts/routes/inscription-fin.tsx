/**
 * The inscription, steps 4 to 7: password and secret question, « Vos données d'authentification », the
 * profile and the dialog « Validation de vos déclarations », « Votre inscription en tant qu'entreprise
 * [tiers] déclarante » and its rights table.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DECLARATIONS, findDeclaration } from '../../../domain/declarations.js';
import { pageContext, readForm } from '../../../http/respond.js';
import { textField, type FieldErrors } from '../../../shared/fields.js';
import { PasswordPage, RecapPage } from '../../../web/pages/inscription.js';
import { DeclarationsPage, HabilitationsPage, ProfilePage, type ProfileValues } from '../../../web/pages/inscription-profil.js';
import { declarationsSchema, passwordSchema, profileSchema, rightsSchema, secretQuestionSchema } from '../contracts.js';
import { choosePassword, confirmRecap, InscriptionError, loadDraft, WRONG_STEP_MESSAGE, type Draft } from '../inscription.js';
import { confirmDeclarations, saveProfile, saveRights } from '../inscription-choices.js';
import { stepperOf } from '../inscription-path.js';
import { draftIdOf, EXPIRED, formStep, nextStep, step, STEP_PATHS, stepDoc, stepPage } from './inscription-steps.js';
import { stepperOfDraft, stepperView } from './inscription-stepper.js';

export async function inscriptionFinRoutes(app: FastifyInstance) {
  stepPage(app, 'password', (req, draft) => <PasswordPage ctx={pageContext(req)} stepper={stepperOfDraft(draft)} draft={draft.data} />);
  app.post(
    STEP_PATHS.password,
    stepDoc('choisirMotDePasse', 'Inscription, étape 4 : mot de passe et question secrète', passwordSchema({}).and(secretQuestionSchema)),
    choose,
  );
  stepPage(app, 'recap', (req, draft) => <RecapPage ctx={pageContext(req)} stepper={stepperOfDraft(draft)} draft={draft.data} />);
  app.post(
    STEP_PATHS.recap,
    stepDoc('confirmerRecapitulatif', 'Inscription, étape 5 : « S’inscrire aux services Net-Entreprises »'),
    confirm,
  );
  stepPage(app, 'profil', (req, draft) => (
    <ProfilePage ctx={pageContext(req)} stepper={stepperOfDraft(draft)} totals={TOTALS} values={profileValuesOf(draft)} />
  ));
  app.post(
    STEP_PATHS.profil,
    stepDoc('choisirProfil', 'Inscription, étape 6 : « Quel est votre profil d’entreprise ? »', profileSchema),
    chooseProfile,
  );
  stepPage(app, 'declarations', declarationsPage);
  app.post(
    STEP_PATHS.declarations,
    stepDoc('validerDeclarations', 'Inscription, étape 6 : « Validation de vos déclarations »', declarationsSchema),
    keepDeclarations,
  );
  stepPage(app, 'habilitations', (req, draft) => habilitationsPage(req, draft));
  app.post(
    STEP_PATHS.habilitations,
    stepDoc('choisirHabilitations', 'Inscription, étape 7 : « Gestion des habilitations pour l’entreprise »', rightsSchema),
    chooseRights,
  );
}

async function choose(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  return step(req, reply, async () => {
    const draft = await loadDraft(ctx, draftIdOf(req));
    if (!draft) throw new InscriptionError('expired', EXPIRED);
    if (draft.step !== 'password') throw new InscriptionError('wrong_step', WRONG_STEP_MESSAGE, undefined, draft.step);
    const parsed = readForm(
      req,
      reply,
      passwordSchema({ nom: draft.data.nom, prenom: draft.data.prenom }).and(secretQuestionSchema),
      (wrong) => <PasswordPage ctx={pageContext(req)} stepper={stepperOfDraft(draft)} draft={draft.data} {...wrong} />,
    );
    if (!parsed.ok) return parsed.answer;
    await choosePassword(ctx, draftIdOf(req), parsed.data);
    return nextStep(req, reply, 'Mot de passe enregistré.', 'recap');
  });
}

async function confirm(req: FastifyRequest, reply: FastifyReply) {
  return step(req, reply, async () => {
    const next = await confirmRecap(req.server.ctx, draftIdOf(req));
    return nextStep(req, reply, 'Récapitulatif confirmé.', next);
  });
}

/** How many steps each kind of registrant walks (the profile page's stepper follows the kind chosen). */
const TOTALS = { entreprise: stepperOf('entreprise').length, tiers: stepperOf('tiers_declarant').length };

const list = (x: unknown) => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : []);

/** What the draft already holds of the profile (the person came back to it). */
const profileValuesOf = (draft: Draft): ProfileValues | undefined =>
  draft.data.kind
    ? {
        kind: draft.data.kind,
        organisationType: draft.data.organisationType,
        domains: draft.data.domains,
        declarations: draft.data.declarations,
      }
    : undefined;

async function chooseProfile(req: FastifyRequest, reply: FastifyReply) {
  const v = (req.body ?? {}) as Record<string, unknown>;
  const values = { kind: textField(v, 'kind'), organisationType: textField(v, 'organisationType'), domains: list(v.domains) };
  const kind = values.kind === 'tiers_declarant' ? ('tiers_declarant' as const) : ('entreprise' as const);
  const form = (errors: FieldErrors) => (
    <ProfilePage ctx={pageContext(req)} stepper={stepperView('profil', { kind })} totals={TOTALS} values={values} errors={errors} />
  );
  return formStep(req, reply, profileSchema, form, async (data) => {
    const next = await saveProfile(req.server.ctx, draftIdOf(req), { ...data, confirme: data.confirme === 'oui' });
    return nextStep(req, reply, 'Profil enregistré.', next);
  });
}

function declarationsPage(req: FastifyRequest, draft: Draft, errors?: FieldErrors) {
  return (
    <DeclarationsPage
      ctx={pageContext(req)}
      stepper={stepperOfDraft(draft)}
      domains={draft.data.domains ?? []}
      chosen={draft.data.declarations ?? []}
      editing={Boolean(errors) || textField(req.query, 'modifier') === '1'}
      errors={errors}
    />
  );
}

async function keepDeclarations(req: FastifyRequest, reply: FastifyReply) {
  return formStep(req, reply, declarationsSchema, 'Validation de vos déclarations', async (data) => {
    await confirmDeclarations(req.server.ctx, draftIdOf(req), data.declarations);
    return nextStep(req, reply, 'Déclarations validées.', 'habilitations');
  });
}

function habilitationsPage(req: FastifyRequest, draft: Draft, errors?: FieldErrors) {
  const d = draft.data;
  const rows = (d.declarations ?? []).map((code) => {
    const decl = findDeclaration(code)!;
    const right = d.rights?.[code] ?? { declarer: true, payer: decl.payable };
    return { code, name: decl.name, description: decl.description, payable: decl.payable, ...right };
  });
  return (
    <HabilitationsPage
      ctx={pageContext(req)}
      stepper={stepperOfDraft(draft)}
      raisonSociale={d.raisonSociale ?? ''}
      nic={d.siret.slice(9)}
      declarant={`${d.nom} ${d.prenom}`}
      rows={rows}
      errors={errors}
    />
  );
}

/** « Tous » ticked in a column: every declaration kept (« Payer »: those it applies to). */
async function chooseRights(req: FastifyRequest, reply: FastifyReply) {
  const parsed = readForm(req, reply, rightsSchema, 'Gestion des habilitations');
  if (!parsed.ok) return parsed.answer;
  const ctx = req.server.ctx;
  return step(req, reply, async () => {
    const draft = await loadDraft(ctx, draftIdOf(req));
    const chosen = draft?.data.declarations ?? [];
    const all = new Set(parsed.data.tous);
    const declarer = all.has('declarer') ? chosen : parsed.data.declarer;
    const payer = all.has('payer') ? chosen.filter((c) => DECLARATIONS.some((x) => x.code === c && x.payable)) : parsed.data.payer;
    const next = await saveRights(ctx, draftIdOf(req), { declarer, payer });
    return nextStep(req, reply, 'Habilitations enregistrées.', next);
  });
}
