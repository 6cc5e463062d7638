/** What the account portal's route files share: notices shown after a redirect, request metadata, cookie names. */
import type { FastifyRequest } from 'fastify';
import { textField } from '../../../shared/fields.js';
import { problem } from '../../../shared/problem.js';

export const DRAFT_COOKIE = '__Host-inscription';
export const RESET_COOKIE = '__Host-reset';
export const RESET_TOKEN_COOKIE = '__Host-reset-jeton';

export const tags = {
  compte: ['Compte'],
  inscription: ['Inscription'],
  oubli: ['Mot de passe oublié'],
  menu: ['Menu'],
  infos: ['Informations personnelles'],
  espace: ['Espace entreprise'],
};

export const NOTICES: Record<string, string> = {
  deconnecte: 'Vous êtes déconnecté.',
  'deconnecte-partout': 'Toutes vos sessions ont été fermées.',
  'mot-de-passe-change': 'Votre mot de passe a été modifié. Vos autres sessions ont été fermées.',
  'question-changee': 'Votre question secrète a été modifiée.',
  'courriel-envoye': 'Un lien de validation a été envoyé à la nouvelle adresse. Elle remplacera l’ancienne une fois validée.',
  'mot-de-passe-reinitialise': 'Votre mot de passe a été réinitialisé. Vous êtes connecté ; vos autres sessions ont été fermées.',
  // the same for a first administrator and a candidat AD (docs/regles.md#comptes)
  'courriel-valide':
    'Votre adresse électronique est validée. Si votre entreprise avait déjà un administrateur, votre demande lui a été transmise et un courriel vous le confirme ; sinon, vous pouvez vous connecter.',
  'invitation-acceptee': 'Votre mot de passe et votre question secrète sont enregistrés. Vous pouvez vous connecter.',
  'courriel-renvoye': 'Le courriel de validation a été renvoyé.',
  accordee: 'La demande a été accordée ; la personne a été prévenue par courriel.',
  refusee: 'La demande a été refusée ; la personne a été prévenue par courriel.',
  reinitialise: 'Le mot de passe a été réinitialisé ; un mot de passe temporaire a été envoyé par courriel.',
  'identifiants-changes': 'Votre nouveau mot de passe et votre nouvelle question secrète sont enregistrés.',
  'session-fermee': 'La session est fermée : l’appareil qui l’utilisait devra se reconnecter.',
};

/** The notice named by `?notice=` after a redirect, if it is one of ours. */
export const notice = (req: FastifyRequest): string | undefined => NOTICES[textField(req.query, 'notice')];

/** What the audit records of the request. */
export const meta = (req: FastifyRequest) => ({ ip: req.ip, userAgent: req.headers['user-agent'] });

/** The third validation mail of the hour was the last (`advice`: what to do meanwhile). */
export const tooManyMails = (advice: string) =>
  problem('too_many_requests', 'trop_de_courriels', `Trois courriels ont déjà été envoyés dans l’heure : ${advice}`);
