/** What the pages of « Gérer vos portefeuilles » share: breadcrumbs, the icon buttons and their legend, pages, form parts. */
import { ButtonsGroup, type ButtonSpec } from '../components/buttons.js';
import { FieldMessages } from '../components/form.js';
import { Pagination as PagesNav } from '../components/pagination.js';

export const MENU = { href: '/menu', label: 'Menu personnalisé' };
export const LIST = { href: '/gestion/portefeuilles', label: 'Vos portefeuilles' };
export const base = (id: string) => `/gestion/portefeuilles/${id}`;

export interface PortefeuilleSummary {
  id: string;
  name: string;
  comment: string;
  isDefault: boolean;
  clientCount: number;
}

export interface ClientSummary {
  siren: string;
  raisonSociale: string;
  activeCount: number;
  /** « Mono-établissement » or « Multi-établissements » */
  type: string;
  chosenCount: number;
  firstSiret: string | null;
  /** the client's mandate (docs/regles.md#tiers-declarants): 'en_attente', 'accepte', 'refuse', 'revoque', or null */
  mandat: string | null;
}

/** A page of a portefeuille's client companies, and how many there are. */
export interface PortefeuilleClients {
  portefeuille: { id: string; name: string };
  clients: ClientSummary[];
  total: number;
  page: number;
  pages: number;
}

export const ICONS = {
  declarants: { icon: 'fr-icon-team-line', label: 'Gérer les déclarants du portefeuille' },
  declarations: { icon: 'fr-icon-file-text-line', label: 'Gérer les déclarations du portefeuille' },
  composer: { icon: 'fr-icon-briefcase-line', label: 'Composer le portefeuille' },
  modifier: { icon: 'fr-icon-edit-line', label: 'Modifier le nom et le commentaire du portefeuille' },
  etablissements: { icon: 'fr-icon-building-line', label: 'Choisir les établissements de l’entreprise' },
  declarationsEntreprise: { icon: 'fr-icon-file-text-line', label: 'Gérer les déclarations de l’entreprise' },
  habilitations: { icon: 'fr-icon-user-setting-line', label: 'Gérer les habilitations de l’entreprise' },
  transferer: { icon: 'fr-icon-arrow-left-right-line', label: 'Transférer l’entreprise' },
  retirer: { icon: 'fr-icon-delete-line', label: 'Retirer l’entreprise du portefeuille' },
} as const;
export type IconKey = keyof typeof ICONS;

export function IconLink(props: { kind: IconKey; href: string; about: string }) {
  const i = ICONS[props.kind];
  return (
    <a className={`fr-btn fr-btn--sm fr-btn--tertiary-no-outline ${i.icon}`} href={props.href} title={`${i.label} ${props.about}`}>
      {`${i.label} ${props.about}`}
    </a>
  );
}

export function Legend(props: { kinds: IconKey[] }) {
  return (
    <section className="fr-mt-4w no-print" aria-labelledby="legende">
      <h2 className="fr-h6" id="legende">
        Légende
      </h2>
      <ul className="fr-raw-list">
        {props.kinds.map((k) => (
          <li key={k} className="fr-mb-1v">
            <span className={`${ICONS[k].icon} fr-mr-1w`} aria-hidden="true"></span>
            {ICONS[k].label}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The pagination of « Gérer vos portefeuilles »: two pages on each side, not printed. */
export function Pagination(props: { page: number; pages: number; href: (page: number) => string; label: string }) {
  return <PagesNav {...props} around={2} className="fr-mt-2w no-print" />;
}

export function Textarea(props: { name: string; label: string; value?: unknown; error?: string; maxLength: number; hint?: string }) {
  return (
    <div className={`fr-input-group ${props.error ? 'fr-input-group--error' : ''}`}>
      <label className="fr-label" htmlFor={props.name}>
        {props.label}
        {props.hint ? <span className="fr-hint-text">{props.hint}</span> : null}
      </label>
      <textarea
        className={`fr-input ${props.error ? 'fr-input--error' : ''}`}
        id={props.name}
        name={props.name}
        rows={3}
        maxLength={props.maxLength}
        defaultValue={typeof props.value === 'string' ? props.value : ''}
        aria-describedby={`${props.name}-messages`}
        aria-invalid={props.error ? true : undefined}
      />
      <FieldMessages id={`${props.name}-messages`} error={props.error} />
    </div>
  );
}

export const DECLARANT_NOUN = { one: 'déclarant', many: 'déclarants', feminine: false } as const;
export const DECLARANT_LEGENDS = { available: 'Déclarants disponibles', selected: 'Déclarants sélectionnés' } as const;
export const DECLARANTS_HELP =
  'Basculez les déclarants qui travailleront sur ce portefeuille dans « Déclarants sélectionnés » à l’aide des flèches ou en effectuant un glissé. Au clavier : cochez un déclarant avec la barre d’espace puis activez une flèche, ou appuyez sur Entrée sur le déclarant.';
export const dualAttributes = (field: string, noun: { one: string; many: string; feminine: boolean }) => ({
  'data-dual-list': '',
  'data-dual-field': field,
  'data-dual-one': noun.one,
  'data-dual-many': noun.many,
  'data-dual-feminine': noun.feminine ? '1' : '0',
});
export const declarantItems = (declarants: readonly { id: string; nom: string; prenom: string }[]) =>
  declarants.map((d, i) => ({ value: d.id, label: `${d.nom} ${d.prenom}`, order: i }));
/** « Annuler » and « Valider » under the portefeuilles' forms. */
export { CancelAndValidate as FormButtons } from '../components/buttons.js';

/** The buttons under the lists of portefeuilles (not printed): « Imprimer », « Exporter » the récapitulatif… */
export function RecapButtons(props: { buttons: readonly (ButtonSpec | null)[] }) {
  return <ButtonsGroup className="fr-btns-group--inline-md fr-btns-group--icon-left fr-mt-3w no-print" buttons={props.buttons} />;
}
export const printRecap = (page: string): ButtonSpec => ({
  label: 'Imprimer le récapitulatif',
  href: `${page}?impression=1`,
  className: 'fr-btn fr-btn--secondary fr-icon-printer-line fr-btn--icon-left',
});
export const EXPORT_RECAP: ButtonSpec = {
  label: 'Exporter le récapitulatif (CSV)',
  href: '/gestion/portefeuilles/recapitulatif.csv',
  className: 'fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left',
  download: true,
};
