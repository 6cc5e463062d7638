/**
 * The inscription, steps 4 to 7: password and secret question, « Vos données
 * d'authentification », the profile and its declarations, « Validation de l'inscription » and the mail
 * asked for again.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findDeclaration } from '../../../domain/declarations.js';
import { pageContext, respond } from '../../../http/respond.js';
import { parseBody, textField, type FieldErrors } from '../../../shared/fields.js';
import { invalidForm, problem } from '../../../shared/problem.js';
import { PasswordPage, ProfilePage, RecapPage, ValidationPage } from '../../../web/pages/inscription.js';
import { passwordSchema, profileSchema, secretQuestionSchema } from '../contracts.js';
import {
  choosePassword,
  confirmRecap,
  draftUserEmail,
  InscriptionError,
  loadDraft,
  resendInscriptionMail,
  saveProfile,
  type Draft,
} from '../inscription.js';
import { meta, notice } from './common.js';
import { draftIdOf, EXPIRED, refuse, step, STEP_PATHS, stepDoc, stepPage } from './inscription-steps.js';

export async function inscriptionFinRoutes(app: FastifyInstance) {
  stepPage(app, 'password', (req, draft) => <PasswordPage ctx={pageContext(req)} draft={draft.data} />);
  app.post(
    STEP_PATHS.password,
    stepDoc('choisirMotDePasse', 'Inscription, étape 4 : mot de passe et question secrète', passwordSchema({}).and(secretQuestionSchema)),
    choose,
  );
  stepPage(app, 'recap', (req, draft) => <RecapPage ctx={pageContext(req)} draft={draft.data} />);
  app.post(
    STEP_PATHS.recap,
    stepDoc('confirmerRecapitulatif', 'Inscription, étape 5 : « S’inscrire aux services net-entreprises »'),
    confirm,
  );
  stepPage(app, 'profil', (req) => <ProfilePage ctx={pageContext(req)} />);
  app.post(STEP_PATHS.profil, stepDoc('choisirProfil', 'Inscription, étape 6 : profil et déclarations', profileSchema), chooseProfile);
  stepPage(app, 'done', validationPage);
  app.post(
    '/inscription/renvoyer',
    stepDoc('renvoyerCourrielInscription', 'Renvoyer le courriel de validation (inscription en cours)'),
    resend,
  );
}

async function choose(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  return step(req, reply, async () => {
    const draft = await loadDraft(ctx, draftIdOf(req));
    if (!draft) throw new InscriptionError('expired', EXPIRED);
    if (draft.step !== 'password')
      throw new InscriptionError(
        'wrong_step',
        'Cette étape n’est pas disponible : poursuivez l’inscription à l’étape en cours.',
        undefined,
        draft.step,
      );
    const parsed = parseBody(passwordSchema({ nom: draft.data.nom, prenom: draft.data.prenom }).and(secretQuestionSchema), req.body);
    if (!parsed.ok)
      return respond(req, reply, {
        problem: invalidForm(parsed.errors),
        page: () => <PasswordPage ctx={pageContext(req)} draft={draft.data} values={parsed.values} errors={parsed.errors} />,
      });
    await choosePassword(ctx, draftIdOf(req), parsed.data);
    return respond(req, reply, { json: { message: 'Mot de passe enregistré.', etapeSuivante: 'recap' }, redirect: STEP_PATHS.recap });
  });
}

async function confirm(req: FastifyRequest, reply: FastifyReply) {
  return step(req, reply, async () => {
    const next = await confirmRecap(req.server.ctx, draftIdOf(req));
    return respond(req, reply, { json: { message: 'Récapitulatif confirmé.', etapeSuivante: next }, redirect: STEP_PATHS[next] });
  });
}

const list = (x: unknown) => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : []);

async function chooseProfile(req: FastifyRequest, reply: FastifyReply) {
  const v = (req.body ?? {}) as Record<string, unknown>;
  const values = {
    kind: textField(v, 'kind'),
    organisationType: textField(v, 'organisationType'),
    domains: list(v.domains),
    declarations: list(v.declarations),
  };
  const form = (errors: FieldErrors) => <ProfilePage ctx={pageContext(req)} values={values} errors={errors} />;
  const parsed = parseBody(profileSchema, req.body);
  if (!parsed.ok) return respond(req, reply, { problem: invalidForm(parsed.errors), page: () => form(parsed.errors) });
  return step(
    req,
    reply,
    async () => {
      await saveProfile(req.server.ctx, draftIdOf(req), parsed.data, meta(req));
      return respond(req, reply, {
        json: { message: 'Inscription enregistrée : validez votre adresse électronique.', etapeSuivante: 'done' },
        redirect: STEP_PATHS.done,
      });
    },
    form,
  );
}

async function validationPage(req: FastifyRequest, draft: Draft) {
  const u = await draftUserEmail(req.server.ctx, draft);
  const rows = (draft.data.declarations ?? []).map((code) => {
    const d = findDeclaration(code)!;
    return {
      declarant: `${draft.data.prenom} ${draft.data.nom}`,
      name: d.name,
      description: d.description,
      declarer: true,
      payer: d.payable,
      payable: d.payable,
    };
  });
  return (
    <ValidationPage
      ctx={pageContext(req)}
      draft={draft.data}
      email={u?.email ?? draft.data.email}
      validated={Boolean(u?.emailValidatedAt)}
      rows={rows}
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
      problem: problem(
        'too_many_requests',
        'trop_de_courriels',
        'Trois courriels ont déjà été envoyés dans l’heure : vérifiez vos courriers indésirables, puis réessayez plus tard.',
      ),
      title: 'Trop de demandes',
    });
  return respond(req, reply, { json: { message: 'Courriel renvoyé.' }, redirect: STEP_PATHS.done, notice: 'courriel-renvoye' });
}
