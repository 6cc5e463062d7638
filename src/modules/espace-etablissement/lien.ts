/**
 * « Lien direct »: the stable address of the establishment's public fiche and a message, ready to be
 * sent to its partner companies, that names it and gives that address.
 */
import type { AppContext } from '../../app-context.js';
import { formatSiret } from '../../domain/identifiers.js';
import type { Establishment } from './access.js';
import { establishmentView } from './etablissement.js';

/** The public fiche of an establishment: the same address from one campaign to the next. */
export const fichePath = (siret: string) => `/soltea/etablissements/${siret}`;

export interface DirectLink {
  lien: string;
  /** null until the link is generated */
  message: string | null;
}

/** The link under `base` (the portal's address), and its message when `generate`. */
export async function directLink(ctx: AppContext, etab: Establishment, base: string, generate: boolean): Promise<DirectLink> {
  const lien = `${base}${fichePath(etab.siret)}`;
  if (!generate) return { lien, message: null };
  const view = await establishmentView(ctx, etab);
  return { lien, message: linkMessage(view.nom, view.siret, view.uais, view.annee, lien) };
}

/** The message an establishment sends to its partner companies with its direct link. */
export function linkMessage(nom: string, siret: string, uais: string[], annee: number, link: string): string {
  const ids = [`SIRET ${formatSiret(siret)}`, ...(uais.length ? [`UAI ${uais.join(', ')}`] : [])].join(', ');
  return (
    `Madame, Monsieur,\n\n` +
    `${nom} (${ids}) est habilité à percevoir le solde de la taxe d’apprentissage pour la campagne ${annee}.\n` +
    `Vous pouvez nous en attribuer une part sur la plateforme SOLTéA ; notre fiche, avec nos formations et nos contacts, est accessible directement par ce lien :\n\n` +
    `${link}\n\n` +
    `Nous vous remercions de votre soutien.`
  );
}
