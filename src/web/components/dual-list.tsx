/**
 * The guide's two lists (« … disponibles » / « … sélectionnés ») with arrows between them: used by
 * « Gérer les déclarations », « Ajout de portefeuille » and « Gérer les déclarants / déclarations du
 * portefeuille ». Works without JavaScript (the arrows are submit buttons named `action`; checked
 * items are posted as `ajouter` / `retirer`; the selected list as hidden `<field>` inputs) and is
 * enhanced by src/web/client/dual-list.ts (moves in the page, drag and drop, Enter on an item).
 */

export interface DualListItem {
  value: string;
  label: string;
  /** position in the catalogue, kept when items move */
  order: number;
}

export interface DualListNoun {
  /** « déclaration », « déclarant » */
  one: string;
  many: string;
  /** grammatical gender, for « sélectionnée(s) » */
  feminine: boolean;
}

const listStyle = {
  listStyle: 'none',
  margin: 0,
  padding: '.5rem',
  width: '100%',
  minHeight: '12rem',
  border: '1px solid var(--border-default-grey)',
  background: 'var(--background-default-grey)',
} as const;

export const DUAL_LIST_MOVES = ['ajouter', 'ajouter-tout', 'retirer', 'retirer-tout'] as const;
export type DualListMove = (typeof DUAL_LIST_MOVES)[number];

/** The no-JavaScript round trip: the working selection after an arrow. Pure. */
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

/** French message when an arrow was used with nothing checked, else null. */
export function emptyMoveMessage(
  action: DualListMove,
  ajouter: readonly string[],
  retirer: readonly string[],
  noun: DualListNoun,
  legends: { available: string; selected: string },
): string | null {
  if (action === 'ajouter' && ajouter.length === 0)
    return `Cochez d’abord ${noun.feminine ? 'une' : 'un'} ${noun.one} dans la « ${legends.available} ».`;
  if (action === 'retirer' && retirer.length === 0)
    return `Cochez d’abord ${noun.feminine ? 'une' : 'un'} ${noun.one} dans la « ${legends.selected} ».`;
  return null;
}

export function DualList(props: {
  /** name of the hidden inputs carrying the selected list, e.g. 'declarations', 'declarants' */
  field: string;
  noun: DualListNoun;
  legends: { available: string; selected: string };
  items: readonly DualListItem[];
  selected: ReadonlySet<string>;
  /** id of the help paragraph describing how to move items */
  helpId: string;
  /** no item may be added (e.g. a closed établissement) */
  addDisabled?: boolean;
  /** the lists were changed but not yet validated (no-JavaScript round trip) */
  pending?: boolean;
  empty?: string;
  /** a message about the selected list (unknown item…), linked from the ErrorSummary by `#<field>` */
  error?: string;
}) {
  const { noun } = props;
  const sel = (plural: boolean) => `sélectionné${noun.feminine ? 'e' : ''}${plural ? 's' : ''}`;
  const moves = [
    {
      value: 'ajouter',
      label: 'Ajouter',
      title: `Ajouter les ${noun.many} coché${noun.feminine ? 'e' : ''}s à la ${props.legends.selected.toLowerCase()}`,
      icon: 'fr-icon-arrow-right-s-line',
      add: true,
    },
    {
      value: 'ajouter-tout',
      label: 'Tout ajouter',
      title: `Ajouter tou${noun.feminine ? 'te' : ''}s les ${noun.many} disponibles`,
      icon: 'fr-icon-arrow-right-line',
      add: true,
    },
    {
      value: 'retirer',
      label: 'Retirer',
      title: `Retirer les ${noun.many} coché${noun.feminine ? 'e' : ''}s de la ${props.legends.selected.toLowerCase()}`,
      icon: 'fr-icon-arrow-left-s-line',
      add: false,
    },
    {
      value: 'retirer-tout',
      label: 'Tout retirer',
      title: `Retirer tou${noun.feminine ? 'te' : ''}s les ${noun.many} ${sel(true)}`,
      icon: 'fr-icon-arrow-left-line',
      add: false,
    },
  ] as const;
  const available = props.items.filter((i) => !props.selected.has(i.value));
  const chosen = props.items.filter((i) => props.selected.has(i.value));
  const Item = (p: { item: DualListItem; selected: boolean }) => {
    const id = `${props.field}-${p.item.value}`;
    const disabled = !p.selected && props.addDisabled;
    return (
      <li
        className="fr-fieldset__element dual-list__item"
        draggable={disabled ? undefined : true}
        data-code={p.item.value}
        data-order={p.item.order}
      >
        <div className="fr-checkbox-group">
          <input type="checkbox" id={id} name={p.selected ? 'retirer' : 'ajouter'} value={p.item.value} disabled={disabled} />
          <label className="fr-label" htmlFor={id}>
            {p.item.label}
          </label>
        </div>
        {p.selected ? <input type="hidden" name={props.field} value={p.item.value} /> : null}
      </li>
    );
  };
  return (
    <>
      <input type="hidden" name="envoye" value="1" />
      {props.error ? (
        <div className="fr-messages-group" aria-live="polite">
          <p className="fr-message fr-message--error">{props.error}</p>
        </div>
      ) : null}
      <div className="fr-grid-row fr-grid-row--gutters" id={props.field} tabIndex={-1}>
        <div className="fr-col-12 fr-col-md-5">
          <fieldset className="fr-fieldset" aria-labelledby={`${props.field}-disponibles-titre`} aria-describedby={props.helpId}>
            <legend className="fr-fieldset__legend" id={`${props.field}-disponibles-titre`}>
              {props.legends.available}
            </legend>
            <ul className="dual-list__list" data-list="disponibles" style={listStyle}>
              {available.map((i) => (
                <Item key={i.value} item={i} selected={false} />
              ))}
            </ul>
          </fieldset>
        </div>
        <div className="fr-col-12 fr-col-md-2">
          <div
            role="group"
            aria-label={`Déplacer les ${noun.many}`}
            style={{ display: 'flex', flexDirection: 'column', gap: '.75rem', paddingTop: '2.5rem' }}
          >
            {moves.map((m) => (
              <button
                key={m.value}
                type="submit"
                name="action"
                value={m.value}
                data-move={m.value}
                className={`fr-btn fr-btn--sm fr-btn--secondary fr-btn--icon-${m.add ? 'right' : 'left'} ${m.icon}`}
                style={{ width: '100%', justifyContent: 'center' }}
                title={m.title}
                disabled={m.add && props.addDisabled}
              >
                {m.label}
              </button>
            ))}
          </div>
        </div>
        <div className="fr-col-12 fr-col-md-5">
          <fieldset className="fr-fieldset" aria-labelledby={`${props.field}-selectionnes-titre`} aria-describedby={props.helpId}>
            <legend className="fr-fieldset__legend" id={`${props.field}-selectionnes-titre`}>
              {props.legends.selected}
            </legend>
            <ul className="dual-list__list" data-list="selectionnees" style={listStyle}>
              {chosen.map((i) => (
                <Item key={i.value} item={i} selected />
              ))}
            </ul>
          </fieldset>
        </div>
      </div>
      {props.items.length === 0 && props.empty ? <p className="fr-text--sm">{props.empty}</p> : null}
      <p className="fr-sr-only" aria-live="polite" data-dual-status="">
        {props.pending ? 'Listes modifiées : cliquez sur « Valider » pour enregistrer.' : ''}
      </p>
    </>
  );
}
