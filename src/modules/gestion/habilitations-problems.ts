/**
 * How « Gérer les habilitations » says no: a problem whose JSON answer also carries `rapport`, the
 * line-by-line report of an import (empty otherwise), as API clients have always read it.
 */
import { problem, ProblemError, type Problem, type ProblemKind } from '../../shared/problem.js';
import type { ReportLine } from './habilitations-csv.js';

export function refusal(kind: ProblemKind, code: string, message: string, report: readonly ReportLine[] = []): ProblemError {
  return new ProblemError(problem(kind, code, message, { extra: { rapport: report.map((r) => ({ ligne: r.line, message: r.message })) } }));
}

/** The line-by-line report of a refused import (empty for any other problem). */
export function reportOf(p: Problem): ReportLine[] {
  const rapport = p.extra?.rapport;
  return Array.isArray(rapport)
    ? (rapport as { ligne: number; message: string }[]).map((r) => ({ line: r.ligne, message: r.message }))
    : [];
}

export const adminOnly = () =>
  refusal('forbidden', 'reserve_aux_administrateurs', 'Cette page est réservée aux administrateurs de l’entreprise.');
export const siretUnknown = () => refusal('not_found', 'siret_non_administre', 'Ce SIRET est inconnu ou vous ne l’administrez pas.');
