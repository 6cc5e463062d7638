/**
 * What each campaign message says (docs/messages.md): the tableau de bord line, the mail's subject and
 * body (the greeting and the signature are added by the queue), with the link to the page to act on.
 */
import type { AppContext } from '../../app-context.js';
import type { Campaign } from '../../domain/campagne.js';
import { formatSiret } from '../../domain/identifiers.js';
import { formatJour } from '../../domain/jours.js';
import type { EvenementCampagne } from '../../domain/messages-calendrier.js';
import { formatEurosText } from '../../shared/format.js';
import { publicUrl } from '../../shared/urls.js';
import type { Employeur, Etablissement, EtablissementRecu } from './audiences.js';

export interface Texte {
  line: string;
  subject: string;
  body: string;
}

type Ctx = Pick<AppContext, 'config'>;

const siretsText = (sirets: readonly string[]) =>
  sirets.length === 1 ? `du SIRET ${formatSiret(sirets[0]!)}` : `de vos ${sirets.length} SIRET (${sirets.map(formatSiret).join(', ')})`;

const etabsText = (etabs: readonly EtablissementRecu[]) => etabs.map((e) => `${e.nom} (SIRET ${formatSiret(e.siret)})`).join(', ');

/** The employer's space: the Synthèse of its SIRET when it has one, else the choice of SIRET. */
const employerLink = (ctx: Ctx, sirets: readonly string[]) =>
  publicUrl(ctx, sirets.length === 1 ? `/soltea/employeur/${sirets[0]}` : '/soltea/employeur');

const dans = (jours: number) => (jours === 1 ? 'demain' : `dans ${jours} jours`);

/** The opening, to an employer. */
export function ouvertureEmployeur(ctx: Ctx, c: Campaign, d: Employeur): Texte {
  const p = c.periodes[0]!;
  const line =
    `SOLTéA – La campagne ${c.annee} de répartition du solde de la taxe d’apprentissage est ouverte : vous pouvez attribuer le solde ${siretsText(d.sirets)} ` +
    `aux établissements habilités de votre choix, pendant la période de répartition ${p.numero}, du ${formatJour(p.debut)} au ${formatJour(p.fin)}.`;
  return {
    line,
    subject: `SOLTéA : ouverture de la campagne ${c.annee} aux employeurs`,
    body: `${line}\n\nVotre espace employeur, « SOLTéA - Employeurs » : ${employerLink(ctx, d.sirets)}`,
  };
}

/** The opening, to an establishment's people. */
export function ouvertureEtablissement(ctx: Ctx, c: Campaign, d: Etablissement): Texte {
  const line =
    `SOLTéA – La campagne ${c.annee} est ouverte aux établissements habilités : vérifiez et complétez la page, les contacts et les coordonnées bancaires de ${etabsText(d.etablissements)} ` +
    `avant l’ouverture aux employeurs, le ${formatJour(c.employeursOuverture)}.`;
  return {
    line,
    subject: `SOLTéA : ouverture de la campagne ${c.annee} aux établissements`,
    body: `${line}\n\nVotre espace établissement, « SOLTéA - Etablissements » : ${publicUrl(ctx, '/soltea/etablissement')}`,
  };
}

type FinPeriode = Extract<EvenementCampagne, { kind: 'fin-periode' }>;

/** A period's end drawing near, to an employer below 100 % validated. */
export function finPeriodeEmployeur(ctx: Ctx, c: Campaign, ev: FinPeriode, d: Employeur): Texte {
  const p = ev.periode;
  const line =
    `SOLTéA – La période de répartition ${p.numero} de la campagne ${c.annee} se termine ${dans(ev.jours)}, le ${formatJour(p.fin)} : ` +
    `vous n’avez pas validé l’attribution de 100 % du solde ${siretsText(d.sirets)}. ` +
    `Attribuez-le et cliquez sur « Valider mon attribution » dans la Synthèse avant la fin de la période ; ce qui n’est pas attribué à la fin de la campagne est réparti par la Caisse des Dépôts (article R. 6241-28 du code du travail).`;
  return {
    line,
    subject: `SOLTéA : la période de répartition ${p.numero} se termine le ${formatJour(p.fin)}`,
    body: `${line}\n\nVotre espace employeur, « SOLTéA - Employeurs » : ${employerLink(ctx, d.sirets)}`,
  };
}

/**
 * A period's end drawing near, to the people of establishments without verified bank details (or whose
 * verified details a transfer was rejected on): the scheduler's J-7 and J-1 and the operator's bulk
 * reminder (rappels-coordonnees.ts), `jours` days before the period's last day.
 */
export function finPeriodeEtablissement(ctx: Ctx, c: Campaign, ev: Pick<FinPeriode, 'periode' | 'jours'>, d: Etablissement): Texte {
  const p = ev.periode;
  const rejets = d.etablissements.filter((e) => e.rejet).length;
  const why =
    rejets === 0
      ? 'vos coordonnées bancaires ne sont pas saisies ou vérifiées'
      : rejets === d.etablissements.length
        ? 'la banque a rejeté un virement sur vos coordonnées bancaires actuelles'
        : 'vos coordonnées bancaires ne sont pas saisies ou vérifiées, ou la banque a rejeté un virement sur celles-ci';
  const line =
    `SOLTéA – ${etabsText(d.etablissements)} : des employeurs vous ont attribué une part du solde de la taxe d’apprentissage de la campagne ${c.annee}, ` +
    `mais ${why}. La période de répartition ${p.numero} se termine ${dans(ev.jours)}, le ${formatJour(p.fin)} : ` +
    `saisissez-les ou corrigez-les dans « SOLTéA - Etablissements », rubrique « Coordonnées bancaires » ; sans coordonnées vérifiées, ces sommes ne pourront pas vous être versées ` +
    `et les employeurs pourront les attribuer à un autre établissement (article D. 6241-27-1 du code du travail).`;
  const first = d.etablissements[0]!.siret;
  return {
    line,
    subject: `SOLTéA : vos coordonnées bancaires avant le ${formatJour(p.fin)}`,
    body: `${line}\n\nVos coordonnées bancaires : ${publicUrl(ctx, `/soltea/etablissement/${first}/coordonnees-bancaires`)}`,
  };
}

/** The day's digest, to an establishment's people. */
export function resumeEtablissement(ctx: Ctx, ev: Extract<EvenementCampagne, { kind: 'resume' }>, d: Etablissement): Texte {
  const parts = d.etablissements.map((e) => {
    const n = e.employeurs ?? 0;
    const who =
      n === 1 ? '1 employeur a enregistré ou modifié une attribution' : `${n} employeurs ont enregistré ou modifié une attribution`;
    return `${e.nom} (SIRET ${formatSiret(e.siret)}) : ${who} en votre faveur, pour un montant attendu de ${formatEurosText(BigInt(e.cents ?? '0'))}`;
  });
  const line = `SOLTéA – Attributions reçues le ${formatJour(ev.jour)}. ${parts.join(' ; ')}.`;
  const links = d.etablissements.map((e) => `${e.nom} : ${publicUrl(ctx, `/soltea/etablissement/${e.siret}/attributions`)}`);
  return {
    line,
    subject: `SOLTéA : attributions reçues le ${formatJour(ev.jour)}`,
    body:
      `${line}\n\nLe détail, par employeur, dans votre espace établissement :\n${links.join('\n')}\n\n` +
      `Ce récapitulatif quotidien est facultatif : vous pouvez ne plus le recevoir dans « Mes courriels » de votre espace établissement : ${publicUrl(ctx, `/soltea/etablissement/${d.etablissements[0]!.siret}/courriels`)}`,
  };
}
