/**
 * What the employer space's route files share. Every route of one SIRET starts from `employerOf`
 * (scope.ts): a SIRET that is not open to the person (other company, no habilitation, delay running,
 * a tiers-déclarant's client whose DSN it did not file in the last six months, tampered URL) answers
 * « introuvable » (404) and nothing changes. Forms answer 303 after a change, the page again with
 * French messages on a broken rule (400), or on a stale form (409).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond } from '../../../http/respond.js';
import { problem, type Problem } from '../../../shared/problem.js';
import type { EmployerHeader } from '../../../web/pages/soltea-employeur-frame.js';
import { SynthesePage, type SyntheseProps } from '../../../web/pages/soltea-employeur-synthese.js';
import { currentCampaign } from '../../campagnes/repository.js';
import { refusalOf } from '../apply-change.js';
import type { Actor } from '../choix.js';
import { firstString, versionBody } from '../contracts.js';
import { employerSirets, type EmployerSiret } from '../scope.js';
import { loadSynthese } from '../synthese.js';
import { syntheseJson } from '../synthese-views.js';

export const tags = ['SOLTéA - Employeurs'];

export const NOTICES: Record<string, string> = {
  choix: 'Vos choix sont ajoutés à la synthèse. Vérifiez-les, puis cliquez sur « Enregistrer vos attributions ».',
  modifie: 'Le pourcentage est modifié. Cliquez sur « Enregistrer vos attributions » pour l’enregistrer.',
  supprime: 'L’attribution est supprimée.',
  enregistre: 'Vos attributions sont enregistrées. Elles seront versées aux établissements à la prochaine vague de versement.',
  'partage-oui': 'Les établissements que vous avez choisis verront le nom et le SIRET de votre entreprise.',
  'partage-non': 'Les établissements que vous avez choisis ne verront plus le nom de votre entreprise.',
  'rien-a-repliquer': 'Vous n’aviez fait aucune attribution à la campagne précédente : il n’y a rien à répliquer.',
  'deja-replique': 'Tous vos fléchages de la campagne précédente figurent déjà dans votre synthèse.',
  'groupe-cree': 'Le groupe est créé : les choix du SIRET de référence s’appliquent désormais à tous ses SIRET.',
  'groupe-dissous': 'Le groupe est dissous : chaque SIRET garde ses attributions actuelles et peut les modifier seul.',
  redesigne: 'La part non versable est attribuée à l’établissement choisi : elle lui sera versée à la prochaine vague de versement.',
};

const query = (req: FastifyRequest) => (req.query ?? {}) as Record<string, unknown>;
export const body = (req: FastifyRequest) => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});
export const param = (req: FastifyRequest, name: string) => firstString((req.params as Record<string, unknown>)[name]);

/** The notice named by `?notice=` after a redirect (« replique-<ajoutés>-<ignorés> » is spelled out). */
export function noticeOf(req: FastifyRequest): string | undefined {
  const n = firstString(query(req).notice);
  if (n.startsWith('replique-')) {
    const [, added, skipped] = n.split('-');
    return `${added} fléchage${added === '1' ? '' : 's'} de la campagne précédente ${added === '1' ? 'est ajouté' : 'sont ajoutés'} à votre synthèse${skipped && skipped !== '0' ? ` ; ${skipped} ne ${skipped === '1' ? 'peut' : 'peuvent'} pas l’être (établissement ou formation qui n’est plus habilité)` : ''}. Vérifiez les pourcentages, puis enregistrez vos attributions.`;
  }
  return NOTICES[n];
}

/** The employer SIRET of the address, for the signed-in person. */
export interface Employer {
  siret: string;
  annee: number;
  actor: Actor;
  head: EmployerHeader;
  /** every SIRET of the person (groups are made among them) */
  all: EmployerSiret[];
}

/** The SIRET of the address if the person may allocate for it now, else null (answer `siretNotFound`). */
export async function employerOf(req: FastifyRequest): Promise<Employer | null> {
  const ctx = req.server.ctx;
  const siret = param(req, 'siret');
  const campaign = await currentCampaign(ctx);
  const all: EmployerSiret[] = /^\d{14}$/.test(siret) ? await employerSirets(ctx, req.auth!.user, campaign.annee) : [];
  const s = all.find((x) => x.siret === siret);
  if (!s || s.indisponible !== null) return null;
  const user = req.auth!.user;
  return {
    siret,
    all,
    annee: campaign.annee,
    actor: { userId: user.id, espaceId: user.espaceId, ip: req.ip },
    head: { siret, denomination: s.denomination, annee: campaign.annee, several: all.length > 1, client: s.via === 'client' },
  };
}

/** The SIRETs of the person that are available now (groups are made among them). */
export const usableSirets = (r: Employer) => new Set(r.all.filter((x) => !x.indisponible).map((x) => x.siret));

const SIRET_NOT_FOUND = problem(
  'not_found',
  'siret_introuvable',
  'Ce SIRET est introuvable parmi ceux pour lesquels vous pouvez répartir le solde de la taxe d’apprentissage.',
);

export function siretNotFound(req: FastifyRequest, reply: FastifyReply) {
  return respond(req, reply, { problem: SIRET_NOT_FOUND, title: 'SIRET introuvable', tone: 'error' });
}

/** What a handler sends instead of going on. */
export type Refused = { refused: unknown };

/**
 * The employer of the path, then what `more` reads of the request for it (merged with `r`); else
 * `refused`, the answer to send (`siretNotFound` when the path names no employer of the person).
 */
export async function employerWith<T extends object>(
  req: FastifyRequest,
  reply: FastifyReply,
  more: (r: Employer) => Promise<T | Refused> | T | Refused,
): Promise<(T & { r: Employer }) | Refused> {
  const r = await employerOf(req);
  if (!r) return { refused: siretNotFound(req, reply) };
  const m = await more(r);
  return 'refused' in m ? m : { ...m, r };
}

/** A change sent without the version of its form (or with a broken one): refused as a stale form. */
export const incomplete = (what: 'synthèse' | 'page'): Problem =>
  refusalOf('conflict', 'version_perimee', `Le formulaire est incomplet : rechargez la ${what} et recommencez.`).problem;

/**
 * The version the form was built from: a browser's form always carries it (without one it is
 * incomplete); a program may leave it out (no stale-form check, the lock still serialises).
 */
export function expectedVersion(req: FastifyRequest): number | null | 'incomplet' {
  const v = versionBody.safeParse(body(req));
  if (!v.success) return 'incomplet';
  const form = /application\/x-www-form-urlencoded|multipart\/form-data/.test(req.headers['content-type'] ?? '');
  return v.data.version === null && form ? 'incomplet' : v.data.version;
}

/** The Synthèse: the page (with the notice of the last change, or what `extra` says) or its JSON. */
export async function answerSynthese(req: FastifyRequest, reply: FastifyReply, r: Employer, extra: Partial<SyntheseProps> = {}) {
  const ctx = req.server.ctx;
  const s = await loadSynthese(ctx.db, ctx.clock.now(), r.annee, r.siret);
  const notice = noticeOf(req);
  return respond(req, reply, {
    json: () => syntheseJson(s),
    page: () => <SynthesePage ctx={pageContext(req)} head={r.head} s={s} {...(notice ? { notice } : {})} {...extra} />,
  });
}

/** A refused change: the problem for programs (its messages in `erreurs`), the Synthèse with the messages for browsers. */
export function refusedChange(req: FastifyRequest, reply: FastifyReply, r: Employer, p: Problem, extra: Partial<SyntheseProps> = {}) {
  const ctx = req.server.ctx;
  const title = p.kind === 'conflict' ? 'Votre saisie n’a pas été enregistrée' : 'Vos attributions n’ont pas été modifiées';
  const messages = ((p.extra?.erreurs as { message: string }[] | undefined) ?? [{ message: p.message }]).map((e) => e.message);
  return respond(req, reply, {
    problem: p,
    page: async () => {
      const s = await loadSynthese(ctx.db, ctx.clock.now(), r.annee, r.siret);
      const notice = noticeOf(req);
      return (
        <SynthesePage
          ctx={pageContext(req)}
          head={r.head}
          s={s}
          {...(notice ? { notice } : {})}
          alert={{ type: 'error', title, messages }}
          {...extra}
        />
      );
    },
  });
}
