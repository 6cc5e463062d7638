/**
 * The pure step of every change of an employer's choices (`changeChoices`, choix.ts): the SIRET's
 * current lines and a change → the whole desired set, or the refusal. Lines keep their order (their
 * ids); new ones come last; only a line whose share changed loses its validation.
 */
import { problem, type Problem, type ProblemKind } from '../../shared/problem.js';
import { targetMapKey } from './targets.js';

/** A line of `attributions` as the write path reads it. */
export interface LineRow {
  id: number;
  etablissementId: number;
  formationId: number | null;
  pointsBase: number;
  statut: string;
  valideeLe: Date | null;
}

/** A line of the set a change leads to. */
export interface DesiredLine {
  etablissementId: number;
  formationId: number | null;
  bp: number;
  statut: 'enregistree' | 'validee';
}

export interface TargetShare {
  target: { etablissementId: number; formationId: number | null };
  bp: number;
}

export type ChoiceChange =
  /**
   * « Enregistrer mes choix » on an establishment's page: new targets added; a target already chosen
   * takes the new percentage; the targets of `retirer` (that establishment's, left unticked) are removed
   */
  | { kind: 'ajouter'; items: TargetShare[]; retirer?: TargetShare['target'][] }
  /** « Répliquer les fléchages »: like `ajouter`, but targets already chosen keep their percentage */
  | { kind: 'completer'; items: TargetShare[] }
  /** « Modifier » then « Valider mon attribution » in the Synthèse */
  | { kind: 'modifier'; id: number; bp: number }
  | { kind: 'supprimer'; id: number }
  /** the whole set at once (API, CSV import); `valider` validates it in the same step */
  | { kind: 'remplacer'; items: TargetShare[]; valider: boolean }
  /** « Enregistrer vos attributions »: every line validated */
  | { kind: 'valider' };

/** One broken rule of a change, with its stable code and French message. */
export interface ChangeError {
  code: string;
  message: string;
  reference?: string;
  /** index of the item of the change the message is about */
  index?: number;
}

/**
 * A refused change: the problem (the first rule's code, every message; the list as the extension
 * member `erreurs` of the JSON answer) and the list of broken rules, for callers that place each
 * message (beside a field, on a line of a CSV file).
 */
export interface ChangeFailure {
  ok: false;
  problem: Problem;
  errors: ChangeError[];
}

export function refusal(kind: ProblemKind, errors: ChangeError[]): ChangeFailure {
  const message = errors.map((e) => e.message).join(' ');
  return { ok: false, errors, problem: problem(kind, errors[0]?.code ?? 'refus', message, { extra: { erreurs: errors } }) };
}

/** A refusal on one rule. */
export const refusalOf = (kind: ProblemKind, code: string, message: string, reference?: string): ChangeFailure =>
  refusal(kind, [{ code, message, ...(reference ? { reference } : {}) }]);

const NOTHING_CHOSEN = 'Choisissez au moins un établissement, une composante ou une formation, avec son pourcentage.';
const NOTHING_TO_SAVE = 'Vous n’avez encore choisi aucun établissement : il n’y a rien à enregistrer.';
const LINE_GONE = 'Cette attribution n’existe plus : elle a peut-être été supprimée entre-temps.';

const keyOf = (l: { etablissementId: number; formationId: number | null }) => targetMapKey(l.etablissementId, l.formationId);

const asDesired = (l: LineRow): DesiredLine => ({
  etablissementId: l.etablissementId,
  formationId: l.formationId,
  bp: l.pointsBase,
  statut: l.statut === 'validee' ? 'validee' : 'enregistree',
});

/** Pure: the desired set after `change`, or the refusal. Lines keep their order (ids); new ones come last. */
export function applyChange(current: readonly LineRow[], change: ChoiceChange): { ok: true; lines: DesiredLine[] } | ChangeFailure {
  const lines = current.map(asDesired);
  switch (change.kind) {
    case 'ajouter':
    case 'completer':
      return addTargets(lines, change);
    case 'modifier': {
      const i = current.findIndex((l) => l.id === change.id);
      if (i < 0) return refusalOf('not_found', 'ligne_introuvable', LINE_GONE);
      if (lines[i]!.bp !== change.bp) lines[i] = { ...lines[i]!, bp: change.bp, statut: 'enregistree' };
      return { ok: true, lines };
    }
    case 'supprimer': {
      const i = current.findIndex((l) => l.id === change.id);
      if (i < 0) return refusalOf('not_found', 'ligne_introuvable', LINE_GONE);
      lines.splice(i, 1);
      return { ok: true, lines };
    }
    case 'remplacer':
      return { ok: true, lines: replaceAll(lines, change) };
    case 'valider':
      if (lines.length === 0) return refusalOf('invalid', 'aucun_choix', NOTHING_TO_SAVE);
      return { ok: true, lines: lines.map((l) => ({ ...l, statut: 'validee' })) };
  }
}

/** « ajouter » and « completer »: new targets at the end; `ajouter` changes the share of those already chosen and removes `retirer`. */
function addTargets(
  lines: DesiredLine[],
  change: Extract<ChoiceChange, { kind: 'ajouter' | 'completer' }>,
): { ok: true; lines: DesiredLine[] } | ChangeFailure {
  const byKey = new Map(lines.map((l, i) => [keyOf(l), i]));
  const retirer =
    change.kind === 'ajouter'
      ? new Set((change.retirer ?? []).map((t) => targetMapKey(t.etablissementId, t.formationId)))
      : new Set<string>();
  if (change.items.length === 0 && ![...byKey.keys()].some((k) => retirer.has(k)))
    return refusalOf('invalid', 'aucun_choix', NOTHING_CHOSEN);
  for (const it of change.items) {
    const k = keyOf(it.target);
    const i = byKey.get(k);
    if (i === undefined) {
      byKey.set(k, lines.length);
      lines.push({ etablissementId: it.target.etablissementId, formationId: it.target.formationId, bp: it.bp, statut: 'enregistree' });
    } else if (change.kind === 'ajouter' && lines[i]!.bp !== it.bp) lines[i] = { ...lines[i]!, bp: it.bp, statut: 'enregistree' };
  }
  return { ok: true, lines: retirer.size ? lines.filter((l) => !retirer.has(keyOf(l))) : lines };
}

/** « remplacer »: the given set; a line whose share is unchanged keeps its status (unless the change validates). */
function replaceAll(lines: readonly DesiredLine[], change: Extract<ChoiceChange, { kind: 'remplacer' }>): DesiredLine[] {
  const byKey = new Map(lines.map((l, i) => [keyOf(l), i]));
  const out: DesiredLine[] = [];
  for (const it of change.items) {
    const i = byKey.get(keyOf(it.target));
    const old = i === undefined ? undefined : lines[i];
    out.push({
      etablissementId: it.target.etablissementId,
      formationId: it.target.formationId,
      bp: it.bp,
      statut: change.valider ? 'validee' : old && old.bp === it.bp ? old.statut : 'enregistree',
    });
  }
  // the current lines first (ids kept), then the new ones, in the order given
  const rank = (l: DesiredLine) => byKey.get(keyOf(l)) ?? Number.MAX_SAFE_INTEGER;
  return out
    .map((l, i) => ({ l, i }))
    .sort((a, b) => rank(a.l) - rank(b.l) || a.i - b.i)
    .map((x) => x.l);
}
