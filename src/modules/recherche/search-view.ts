/**
 * What the search screens show and what programs receive: the criteria as typed and as understood,
 * a message per field, and the outcome. « Recherche établissement » and the employer's pages
 * (module attributions) show the same form and the same results.
 */
import { MAX_FIELD_LENGTH, PAGE_SIZE, parseCriteria, type Criteria, type ParsedCriteria } from '../../domain/recherche.js';
import type { Db } from '../../infra/db/index.js';
import type { FieldErrors } from '../../shared/fields.js';
import { problem, type Problem } from '../../shared/problem.js';
import { fichePath } from './fiche.js';
import { searchEtablissements, type SearchOutcome } from './search.js';

export interface SearchView {
  criteria: Criteria;
  /** values as typed (shown back in the fields) */
  values: Record<string, string>;
  /** per-field messages: wrong criteria (400) and criteria that found nothing (an unknown commune) */
  errors?: FieldErrors;
  /** true when a criterion is wrong (the search was not run: 400) */
  invalid?: boolean;
  notices?: string[];
  outcome?: SearchOutcome;
  /** diploma types present in the referential */
  types: readonly string[];
}

export interface SearchRun {
  query: Record<string, unknown>;
  parsed: ParsedCriteria;
  /** null when a criterion is wrong or nothing was asked */
  outcome: SearchOutcome | null;
  /** a criterion is wrong: the search was not run (400) */
  invalid: boolean;
}

/** Parses the query string and searches, unless a criterion is wrong or nothing was asked; `annee`: the campaign searched by default. */
export async function runSearch(db: Db, query: Record<string, unknown>, annee: number | null = null): Promise<SearchRun> {
  const parsed = parseCriteria(query);
  const invalid = Object.keys(parsed.errors).length > 0;
  const criteria = { ...parsed.criteria, annee: parsed.criteria.annee ?? annee };
  const outcome = !invalid && parsed.submitted ? await searchEtablissements(db, criteria) : null;
  return { query, parsed, outcome, invalid };
}

/** The refusal of a wrong criterion, with one message per field. */
export const invalidCriteria = (run: SearchRun): Problem =>
  problem('invalid', 'critere_invalide', 'Un critère de recherche est incorrect.', { errors: run.parsed.errors });

/** The form and the results as a page shows them. `typed`: the first field shows what was typed rather than what was kept of it. */
export function searchView(run: SearchRun, types: readonly string[], typed = false): SearchView {
  const { parsed, outcome } = run;
  const values = Object.fromEntries(
    Object.entries(run.query).map(([k, v]) => [k, String(Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).slice(0, MAX_FIELD_LENGTH)]),
  );
  if (!typed && parsed.criteria.q) values.q = parsed.criteria.q;
  const errors: FieldErrors = { ...(outcome?.fieldMessages ?? {}), ...parsed.errors };
  // Messages of criteria that were merely ignored (no letter, no digit) are not errors on the field.
  for (const [k, m] of Object.entries(outcome?.fieldMessages ?? {})) if (m.includes('ignoré')) delete errors[k];
  return { criteria: parsed.criteria, values, errors, invalid: run.invalid, notices: parsed.notices, outcome: outcome ?? undefined, types };
}

/** The search as programs receive it. */
export function searchJson(p: ParsedCriteria, o: SearchOutcome | null) {
  return {
    annee: o?.annee ?? p.criteria.annee,
    total: o?.total ?? 0,
    page: p.criteria.page,
    pages: o?.pages ?? 0,
    parPage: PAGE_SIZE,
    criteres: p.criteria,
    criteresRetenus: o?.understood ?? [],
    messages: o?.fieldMessages ?? {},
    avertissements: p.notices,
    resultats: o ? o.results.map((r) => ({ ...r, lien: fichePath(r.siret) })) : [],
  };
}
