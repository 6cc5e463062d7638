/**
 * What the establishment space's route files share: the establishment of the URL (`withSpace`: a SIRET
 * that is not open to the signed-in user answers 404 whatever exists, an open SIRET that is not in the
 * current referential answers 403 with the explanation), the notices shown after a change, the
 * position of a contact or a site in the URL.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond } from '../../../http/respond.js';
import type { Problem } from '../../../shared/problem.js';
import { MessagePage } from '../../../web/pages/public.js';
import { NotHabilitatedPage, type SpaceHeader } from '../../../web/pages/soltea-etablissement.js';
import { loadEstablishment, NOT_FOUND, type Establishment, type LoadResult } from '../access.js';
import type { Editor } from '../profil.js';

export const tags = ['SOLTéA - Établissement'];

export const NOTICES: Record<string, string> = {
  presentation: 'La présentation est enregistrée ; elle figure sur la fiche publique.',
  'contact-ajoute': 'Le contact est ajouté à la fiche publique.',
  'contact-modifie': 'Le contact est modifié.',
  'contact-supprime': 'Le contact est supprimé de la fiche publique.',
  'site-ajoute': 'Le site internet est ajouté à la fiche publique.',
  'site-modifie': 'Le site internet est modifié.',
  'site-supprime': 'Le site internet est supprimé de la fiche publique.',
  'code-envoye':
    'Un code a été envoyé par courriel aux administrateurs de l’établissement. Saisissez-le ci-dessous avec les coordonnées bancaires.',
  'code-courrier':
    'Le code sera envoyé par courrier à l’adresse de l’établissement (son adresse au répertoire SIRENE) : son entreprise n’a pas d’administrateur sur net-entreprises à qui l’envoyer par courriel. Saisissez-le ci-dessous avec les coordonnées bancaires dès sa réception.',
  'coordonnees-enregistrees':
    'Les coordonnées bancaires sont enregistrées. Elles sont à vérifier par l’opérateur ; les administrateurs de l’établissement en sont informés par courriel.',
  'resume-oui': 'Vous recevrez chaque matin le récapitulatif des attributions reçues la veille.',
  'resume-non': 'Vous ne recevrez plus le récapitulatif quotidien des attributions reçues.',
};

/** The notice named by `?notice=` after a redirect, if it is one of ours. */
export const notice = (req: FastifyRequest): string | undefined => {
  const code = (req.query as Record<string, unknown>).notice;
  return typeof code === 'string' && Object.hasOwn(NOTICES, code) ? NOTICES[code] : undefined;
};

/** What the audit records of the request. */
export const meta = (req: FastifyRequest) => ({ ip: req.ip });

/** The signed-in person changing the fiche of the space's establishment. */
export const editor = (req: FastifyRequest, s: Space): Editor => ({ user: req.auth!.user, etab: s.etab, meta: meta(req) });

const param = (req: FastifyRequest, name: string): string => {
  const v = (req.params as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : '';
};

/** The establishment of the URL, open to the signed-in user, with the header of its pages. */
export interface Space {
  etab: Establishment;
  head: SpaceHeader;
}

export type SpaceHandler = (req: FastifyRequest, reply: FastifyReply, space: Space) => Promise<FastifyReply>;

/** A handler of the space: it runs only for an establishment the user may open; otherwise the refusal. */
export function withSpace(handler: SpaceHandler) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const r = await loadEstablishment(req.server.ctx, req.auth!.user, param(req, 'siret'));
    if (!r.ok) return respond(req, reply, { problem: r.problem, page: () => refusalPage(req, r) });
    return handler(req, reply, {
      etab: r.etab,
      head: { siret: r.etab.siret, nom: r.etab.ref.nom, annee: r.etab.annee, several: r.several },
    });
  };
}

function refusalPage(req: FastifyRequest, r: Exclude<LoadResult, { ok: true }>) {
  if (r.nonHabilite) return <NotHabilitatedPage ctx={pageContext(req)} {...r.nonHabilite} />;
  return <NotFoundPage req={req} />;
}

function NotFoundPage(props: { req: FastifyRequest }) {
  return (
    <MessagePage ctx={pageContext(props.req)} title="Établissement introuvable" type="error">
      Cet établissement est introuvable parmi ceux pour lesquels vous êtes habilité à « SOLTéA - Etablissements ».
    </MessagePage>
  );
}

/** A contact or a site that is not on the fiche answers as an establishment that is not the user's. */
export const lineNotFound = (req: FastifyRequest, reply: FastifyReply) =>
  respond(req, reply, { problem: NOT_FOUND.problem, page: () => <NotFoundPage req={req} /> });

/** The 1-based position of the URL (`:n`) as a 0-based index below `max`, or null. */
export function position(req: FastifyRequest, max: number): number | null {
  const n = param(req, 'n');
  if (!/^\d{1,3}$/.test(n)) return null;
  const i = Number(n) - 1;
  return i >= 0 && i < max ? i : null;
}

/** What a form shows of a refusal: the fields' messages, and the problem's message when it is not about a field. */
export function formRefusal(p: Problem): { errors: Record<string, string>; message?: string } {
  return p.kind === 'invalid' ? { errors: p.errors ?? {} } : { errors: p.errors ?? {}, message: p.message };
}
