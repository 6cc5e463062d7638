/** What the operator space's route files share: tags, query strings, notices, request metadata. */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { textField } from '../../../shared/fields.js';
import type { AgentRef } from '../../versements/preparation.js';

export const tags = {
  connexion: ['Opérateur - connexion'],
  espace: ['Opérateur'],
  vagues: ['Opérateur - vagues de versement'],
  reliquat: ['Opérateur - reliquat'],
  rapprochement: ['Opérateur - rapprochement'],
  campagnes: ['Opérateur - campagnes'],
  files: ['Opérateur - files de travail'],
  imports: ['Opérateur - imports'],
};

/** The query strings of the operator's screens: the campaign shown (`?annee=`), the page of a list (`?page=`), or both. */
export const yearQuery = z.object({ annee: z.string().optional() });
export const pageQuery = z.object({ page: z.string().optional() });
export const yearPageQuery = yearQuery.extend(pageQuery.shape);

export const NOTICES: Record<string, string> = {
  deconnecte: 'Vous êtes déconnecté de l’espace opérateur.',
  'mot-de-passe-choisi': 'Votre mot de passe est enregistré. Connectez-vous : la double authentification vous sera demandée.',
  'verdict-verifiee': 'Les coordonnées bancaires sont vérifiées ; l’établissement est prévenu.',
  'verdict-rejetee': 'Les coordonnées bancaires sont rejetées ; l’établissement est prévenu avec le motif.',
  preparee: 'La vague est préparée : un valideur doit maintenant l’approuver.',
  approuvee: 'La vague est approuvée : elle peut être émise.',
  emise: 'La vague est émise : téléchargez le fichier de virements et transmettez-le à la banque.',
  annulee: 'La vague est annulée.',
  'calendrier-enregistre': 'Le calendrier est enregistré.',
  'calendrier-inchange': 'Le calendrier est déjà celui-ci : rien n’a changé.',
  'rappels-envoyes': 'Les relances sont envoyées aux établissements qui ne l’avaient pas encore été pour cette période.',
  'reliquat-calcule': 'Le reliquat est calculé et sa vague préparée : un valideur doit maintenant l’approuver.',
};

export const notice = (req: FastifyRequest): string | undefined => NOTICES[textField(req.query, 'notice')];

/** The signed-in agent, as the payment use cases take it. */
export const agentOf = (req: FastifyRequest): AgentRef => ({ id: req.agent!.agent.id, role: req.agent!.viewer.role });

export const meta = (req: FastifyRequest) => ({ ip: req.ip, userAgent: req.headers['user-agent'] });

/** Where to go back after login: only a page of the operator's space. */
export function safeReturn(r: string | undefined): string {
  return r && /^\/operateur(\/[a-z0-9/_-]*)?$/i.test(r) && !r.startsWith('//') ? r : '/operateur';
}

/** The page number of `?page=` (1 when absent or wrong). */
export function pageOf(req: FastifyRequest): number {
  const n = Number(textField(req.query, 'page'));
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
}

/** For JSON clients: amounts in cents as strings, as every operator screen gives them. */
export const jsonOf = (value: object) =>
  JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))) as Record<string, unknown>;
