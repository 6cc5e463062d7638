/**
 * The guide's two lists (« … disponibles » / « … sélectionnés ») without JavaScript: the arrows are
 * submit buttons named `action`, the checked items come as `ajouter` / `retirer`, and the server gives
 * back the lists with the items moved, nothing saved before « Valider ». Pure.
 */

export const DUAL_LIST_MOVES = ['ajouter', 'ajouter-tout', 'retirer', 'retirer-tout'] as const;
export type DualListMove = (typeof DUAL_LIST_MOVES)[number];

/** The working selection after an arrow, in the order of `all`. */
export function applyDualListMove(
  current: readonly string[],
  all: readonly string[],
  action: DualListMove,
  ajouter: readonly string[],
  retirer: readonly string[],
): string[] {
  const set = new Set(current);
  if (action === 'ajouter') for (const v of ajouter) set.add(v);
  if (action === 'ajouter-tout') for (const v of all) set.add(v);
  if (action === 'retirer') for (const v of retirer) set.delete(v);
  if (action === 'retirer-tout') set.clear();
  return all.filter((v) => set.has(v));
}

/** True when an arrow was used with nothing checked on its side. */
export const movedNothing = (action: DualListMove, ajouter: readonly string[], retirer: readonly string[]): boolean =>
  (action === 'ajouter' && ajouter.length === 0) || (action === 'retirer' && retirer.length === 0);

/** French message when an arrow was used with nothing checked, else null. */
export function emptyMoveMessage(
  action: DualListMove,
  ajouter: readonly string[],
  retirer: readonly string[],
  noun: { one: string; feminine: boolean },
  legends: { available: string; selected: string },
): string | null {
  if (!movedNothing(action, ajouter, retirer)) return null;
  const legend = action === 'ajouter' ? legends.available : legends.selected;
  return `Cochez d’abord ${noun.feminine ? 'une' : 'un'} ${noun.one} dans la « ${legend} ».`;
}

/** The arrow of a posted form, or null for « Valider » (and for API clients, who send the list only). */
export const moveOf = (data: { action?: string }): DualListMove | null =>
  data.action && data.action !== 'valider' ? (data.action as DualListMove) : null;
