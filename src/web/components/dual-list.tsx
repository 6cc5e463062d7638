/**
 * The guide's two lists (« … disponibles » / « … sélectionnés ») with arrows between them: used by
 * « Gérer les déclarations », « Ajout de portefeuille » and « Gérer les déclarants / déclarations du
 * portefeuille ». Works without JavaScript (the arrows are submit buttons named `action`; checked
 * items are posted as `ajouter` / `retirer`; the selected list as hidden `<field>` inputs) and is
 * enhanced by src/web/client/dual-list.ts (moves in the page, drag and drop, Enter on an item). The
 * server's side of the round trip is src/modules/gestion/dual-list-moves.ts.
 */
import { Alert } from './form.js';

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

/** The lists were changed but not yet saved (the no-JavaScript round trip). */
export function PendingAlert(props: { pending?: boolean }) {
  return props.pending ? (
    <Alert type="info">
      Vos changements ne sont pas encore enregistrés : cliquez sur « Valider » pour les enregistrer, ou « Annuler » pour les abandonner.
    </Alert>
  ) : null;
}

type Legends = { available: string; selected: string };

/** The four arrows: submit buttons named `action` without JavaScript, moves in the page with it. */
function moveButtons(noun: DualListNoun, legends: Legends) {
  const e = noun.feminine ? 'e' : '';
  return [
    {
      value: 'ajouter',
      label: 'Ajouter',
      title: `Ajouter les ${noun.many} coché${e}s à la ${legends.selected.toLowerCase()}`,
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
      title: `Retirer les ${noun.many} coché${e}s de la ${legends.selected.toLowerCase()}`,
      icon: 'fr-icon-arrow-left-s-line',
      add: false,
    },
    {
      value: 'retirer-tout',
      label: 'Tout retirer',
      title: `Retirer tou${noun.feminine ? 'te' : ''}s les ${noun.many} sélectionné${e}s`,
      icon: 'fr-icon-arrow-left-line',
      add: false,
    },
  ] as const;
}

function Moves(props: { noun: DualListNoun; legends: Legends; addDisabled?: boolean }) {
  return (
    <div
      role="group"
      aria-label={`Déplacer les ${props.noun.many}`}
      style={{ display: 'flex', flexDirection: 'column', gap: '.75rem', paddingTop: '2.5rem' }}
    >
      {moveButtons(props.noun, props.legends).map((m) => (
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
  );
}

/** One item: a box (checked items move with an arrow) and, in the selected list, the hidden input posted with « Valider ». */
function Entry(props: { field: string; item: DualListItem; selected: boolean; addDisabled?: boolean }) {
  const id = `${props.field}-${props.item.value}`;
  const disabled = !props.selected && props.addDisabled;
  return (
    <li
      className="fr-fieldset__element dual-list__item"
      draggable={disabled ? undefined : true}
      data-code={props.item.value}
      data-order={props.item.order}
    >
      <div className="fr-checkbox-group">
        <input type="checkbox" id={id} name={props.selected ? 'retirer' : 'ajouter'} value={props.item.value} disabled={disabled} />
        <label className="fr-label" htmlFor={id}>
          {props.item.label}
        </label>
      </div>
      {props.selected ? <input type="hidden" name={props.field} value={props.item.value} /> : null}
    </li>
  );
}

/** One of the two lists, with its legend. */
function Side(props: {
  field: string;
  side: 'disponibles' | 'selectionnes';
  legend: string;
  helpId: string;
  items: readonly DualListItem[];
  addDisabled?: boolean;
}) {
  const titleId = `${props.field}-${props.side}-titre`;
  return (
    <div className="fr-col-12 fr-col-md-5">
      <fieldset className="fr-fieldset" aria-labelledby={titleId} aria-describedby={props.helpId}>
        <legend className="fr-fieldset__legend" id={titleId}>
          {props.legend}
        </legend>
        <ul className="dual-list__list" data-list={props.side === 'selectionnes' ? 'selectionnees' : 'disponibles'} style={listStyle}>
          {props.items.map((i) => (
            <Entry key={i.value} field={props.field} item={i} selected={props.side === 'selectionnes'} addDisabled={props.addDisabled} />
          ))}
        </ul>
      </fieldset>
    </div>
  );
}

export function DualList(props: {
  /** name of the hidden inputs carrying the selected list, e.g. 'declarations', 'declarants' */
  field: string;
  noun: DualListNoun;
  legends: Legends;
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
  const available = props.items.filter((i) => !props.selected.has(i.value));
  const chosen = props.items.filter((i) => props.selected.has(i.value));
  return (
    <>
      <input type="hidden" name="envoye" value="1" />
      {props.error ? (
        <div className="fr-messages-group" aria-live="polite">
          <p className="fr-message fr-message--error">{props.error}</p>
        </div>
      ) : null}
      <div className="fr-grid-row fr-grid-row--gutters" id={props.field} tabIndex={-1}>
        <Side
          field={props.field}
          side="disponibles"
          legend={props.legends.available}
          helpId={props.helpId}
          items={available}
          addDisabled={props.addDisabled}
        />
        <div className="fr-col-12 fr-col-md-2">
          <Moves noun={props.noun} legends={props.legends} addDisabled={props.addDisabled} />
        </div>
        <Side field={props.field} side="selectionnes" legend={props.legends.selected} helpId={props.helpId} items={chosen} />
      </div>
      {props.items.length === 0 && props.empty ? <p className="fr-text--sm">{props.empty}</p> : null}
      <p className="fr-sr-only" aria-live="polite" data-dual-status="">
        {props.pending ? 'Listes modifiées : cliquez sur « Valider » pour enregistrer.' : ''}
      </p>
    </>
  );
}
