/** How « Gérer les déclarants » answers: its notices, « Personne introuvable », and the outcome of an action. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ReactElement } from 'react';
import { pageContext, respond } from '../../../http/respond.js';
import type { FieldErrors } from '../../../shared/fields.js';
import type { Outcome } from '../../../shared/problem.js';
import { MessagePage } from '../../../web/pages/public.js';
import { PERSON_NOT_FOUND } from '../declarants.js';

export const DECLARANT_NOTICES = {
  ajoute:
    'Le déclarant a été ajouté : il a reçu un courriel pour choisir son mot de passe et sa question secrète (lien valable 48 heures).',
  modifie: 'Les informations de la personne ont été enregistrées.',
  suspendu: 'La personne est suspendue : ses sessions ouvertes ont été fermées et elle ne peut plus se connecter.',
  reactive: 'La personne est réactivée.',
  supprime: 'La personne a été supprimée ; ses habilitations ont été retirées.',
  'courriel-envoye': 'Un lien de validation a été envoyé à la nouvelle adresse. Elle remplacera l’ancienne une fois validée.',
  'invitation-renvoyee': 'L’invitation a été renvoyée ; le lien précédent ne fonctionne plus.',
  reinitialise: 'Le mot de passe a été réinitialisé ; un mot de passe temporaire a été envoyé par courriel.',
} satisfies Record<string, string>;
export type DeclarantNotice = keyof typeof DECLARANT_NOTICES;

/** Another company's person, or no one: 404, the same page whatever the reason. */
export const personNotFound = (req: FastifyRequest, reply: FastifyReply) =>
  respond(req, reply, {
    problem: PERSON_NOT_FOUND,
    page: () => (
      <MessagePage ctx={pageContext(req)} title="Personne introuvable" type="error">
        Cette personne est introuvable dans votre entreprise.
      </MessagePage>
    ),
  });

/**
 * Answers an action on a person: back to the list with its notice, or the refusal — « introuvable »,
 * the form again with its messages (`formPage`), or « Action impossible » (409).
 */
export function answerAction(
  req: FastifyRequest,
  reply: FastifyReply,
  r: Outcome,
  notice: DeclarantNotice,
  formPage?: (errors: FieldErrors | undefined) => () => ReactElement,
) {
  if (r.ok) return respond(req, reply, { json: { message: DECLARANT_NOTICES[notice] }, redirect: '/gestion/declarants', notice });
  if (r.problem.kind === 'not_found') return personNotFound(req, reply);
  if (r.problem.kind === 'invalid' && formPage) return respond(req, reply, { problem: r.problem, page: formPage(r.problem.errors) });
  return respond(req, reply, { problem: r.problem, title: 'Action impossible' });
}
