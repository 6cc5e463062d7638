/**
 * The entry of « SOLTéA - Employeurs »: the SIRETs a person acts for, filtered and paged (a
 * tiers-déclarant may act for hundreds of clients), those available first, each with where it stands
 * in the campaign.
 */
import type { Db, Tx } from '../../infra/db/index.js';
import { employerProgress, type EmployerProgress } from './progress.js';
import { EMPLOYER_PAGE_SIZE, filterEmployerSirets, type EmployerSiret } from './scope.js';

export interface EmployerList {
  /** this page's SIRETs, with their progress when available */
  sirets: (EmployerSiret & Partial<EmployerProgress>)[];
  liste: {
    /** SIRETs open to the person, before the filter */
    total: number;
    /** after the filter */
    trouves: number;
    filtre: string;
    page: number;
    pages: number;
    pageSize: number;
    /** every SIRET the person may allocate for (not only this page's) */
    usable: string[];
    /** some of them are clients (tiers-déclarant): the CSV import is offered */
    clients: boolean;
  };
}

/** One page of the person's SIRETs matching `filtre` (those the person can act for first, each group in SIRET order). */
export async function employerList(
  db: Db | Tx,
  annee: number,
  sirets: readonly EmployerSiret[],
  filtre: string,
  page: number,
): Promise<EmployerList> {
  const list = filterEmployerSirets(sirets, filtre).sort((a, b) => Number(a.indisponible !== null) - Number(b.indisponible !== null));
  const pages = Math.max(1, Math.ceil(list.length / EMPLOYER_PAGE_SIZE));
  const pageNo = Math.min(pages, Math.max(1, page));
  const shown = list.slice((pageNo - 1) * EMPLOYER_PAGE_SIZE, pageNo * EMPLOYER_PAGE_SIZE);
  const progress = await employerProgress(
    db,
    annee,
    shown.filter((s) => !s.indisponible).map((s) => s.siret),
  );
  return {
    sirets: shown.map((s) => ({ ...s, ...progress.get(s.siret) })),
    liste: {
      total: sirets.length,
      trouves: list.length,
      filtre,
      page: pageNo,
      pages,
      pageSize: EMPLOYER_PAGE_SIZE,
      usable: sirets.filter((s) => !s.indisponible).map((s) => s.siret),
      clients: sirets.some((s) => s.via === 'client'),
    },
  };
}
