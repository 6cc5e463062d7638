/**
 * « Gérer les habilitations » (guide: « A l'aide des listes déroulantes, sélectionnez les critères
 * puis cliquez sur « Rechercher » », « Cochez ou décochez les cases […] puis cliquez sur « Valider » »),
 * the grid one page at a time. Its history and the bulk import have their own pages
 * (habilitations-historique.tsx, habilitations-import.tsx).
 */
import { Alert, CsrfField, ErrorSummary, PlainSelect } from '../components/form.js';
import { pagedCaption, Table } from '../components/table.js';
import { BackAndSubmit } from '../components/buttons.js';
import { Pagination as PagesNav } from '../components/pagination.js';
import { Layout, type PageContext } from '../layout.js';

/** a label with only screen-reader text: keep the DSFR box it draws clickable */
export const BOX_LABEL = { display: 'inline-block', minWidth: '1.5rem', minHeight: '1.5rem' } as const;
const BREADCRUMB = [{ href: '/menu', label: 'Menu personnalisé' }];
export const HABILITATIONS_CRUMB = [...BREADCRUMB, { href: '/gestion/habilitations', label: 'Gérer les habilitations' }];

export interface CriteriaOptions {
  administrateur: string;
  declarants: { value: string; label: string }[];
  services: { value: string; label: string }[];
}

export interface CriteriaValues {
  siret: string;
  declarant: string;
  service: string;
}

export interface GridRowView {
  key: string;
  serviceName: string;
  siret: string;
  personLabel: string;
  payable: boolean;
  declarer: boolean;
  payer: boolean;
}

function query(c: CriteriaValues, page: number): string {
  const q = new URLSearchParams();
  if (c.siret) q.set('siret', c.siret);
  if (c.declarant) q.set('declarant', c.declarant);
  if (c.service) q.set('service', c.service);
  q.set('page', String(page));
  return `/gestion/habilitations?${q.toString()}`;
}

/** The pagination of the habilitations pages and of the SOLTéA lists: one page on each side, « précédente » and « suivante ». */
export function Pagination(props: { page: number; pages: number; href: (page: number) => string; label: string }) {
  return <PagesNav {...props} around={1} prevNext className="fr-my-3w" />;
}

type GridView = { rows: GridRowView[]; page: number; pages: number; total: number };

export function HabilitationsPage(props: {
  ctx: PageContext;
  options: CriteriaOptions;
  criteria: CriteriaValues;
  searched: boolean;
  grid?: GridView;
  notice?: string;
  info?: string;
  error?: string;
}) {
  const { ctx, criteria, grid } = props;
  return (
    <Layout ctx={ctx} title="Gérer les habilitations" breadcrumb={BREADCRUMB} wide>
      <h1>Gérer les habilitations</h1>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      {props.info ? <Alert type="info">{props.info}</Alert> : null}
      <ErrorSummary message={props.error} />
      <p>À l’aide des listes déroulantes, sélectionnez les critères puis cliquez sur « Rechercher ».</p>
      <CriteriaForm options={props.options} criteria={criteria} />
      {props.searched && grid ? (
        grid.rows.length === 0 ? (
          <Alert type="info">
            Aucune habilitation ne correspond à ces critères : vérifiez que le service est souscrit sur l’établissement (« Gérer les
            déclarations »).
          </Alert>
        ) : (
          <GridForm ctx={ctx} criteria={criteria} grid={grid} />
        )
      ) : null}
      {props.searched && grid ? (
        <Pagination page={grid.page} pages={grid.pages} href={(p) => query(criteria, p)} label="Pages de la grille des habilitations" />
      ) : null}
      <BulkLinks />
    </Layout>
  );
}

/** « Critères de recherche »: SIRET, the administrator, the déclarant and the service, then « Rechercher ». */
function CriteriaForm(props: { options: CriteriaOptions; criteria: CriteriaValues }) {
  const { options, criteria } = props;
  const selects = [
    { name: 'declarant', label: 'Déclarants', all: 'Tous les déclarants', options: 'declarants' },
    { name: 'service', label: 'Service', all: 'Tous les services', options: 'services' },
  ] as const;
  return (
    <form method="get" action="/gestion/habilitations" className="fr-mb-4w">
      <fieldset className="fr-fieldset">
        <legend className="fr-fieldset__legend">Critères de recherche</legend>
        <div className="fr-fieldset__element">
          <div className="fr-input-group">
            <label className="fr-label" htmlFor="critere-siret">
              Siret
              <span className="fr-hint-text">
                Facultatif : 14 chiffres. Laissez vide pour tous les établissements que vous administrez.
              </span>
            </label>
            <input
              className="fr-input"
              id="critere-siret"
              name="siret"
              type="text"
              inputMode="numeric"
              autoComplete="off"
              maxLength={20}
              defaultValue={criteria.siret}
            />
          </div>
        </div>
        <div className="fr-fieldset__element">
          <div className="fr-input-group">
            <label className="fr-label" htmlFor="critere-administrateur">
              Administrateur
            </label>
            <input className="fr-input" id="critere-administrateur" type="text" value={options.administrateur} readOnly />
          </div>
        </div>
        {selects.map((s) => (
          <div className="fr-fieldset__element" key={s.name}>
            <PlainSelect
              id={`critere-${s.name}`}
              name={s.name}
              label={s.label}
              options={[{ value: '', label: s.all }, ...options[s.options]]}
              value={criteria[s.name]}
            />
          </div>
        ))}
      </fieldset>
      <input type="hidden" name="recherche" value="1" />
      <BackAndSubmit back="/menu" backLabel="Retour" submit="Rechercher" />
    </form>
  );
}

/** « Tout (dé)cocher » a column: a submit button without JavaScript, a toggle in the page with it. */
function ToggleColumn(props: { column: 'declarer' | 'payer'; label: string }) {
  return (
    <button
      className="fr-btn fr-btn--sm fr-btn--tertiary fr-mt-1w"
      type="submit"
      name="bascule"
      value={props.column}
      data-bascule={props.column}
      aria-label={`Tout (dé)cocher la colonne ${props.label}`}
    >
      Tout (dé)cocher
    </button>
  );
}

/** The grid of one page: the rows shown (hidden), a box per right, « Annuler » and « Valider ». */
function GridForm(props: { ctx: PageContext; criteria: CriteriaValues; grid: GridView }) {
  const { criteria, grid } = props;
  const anyPayable = grid.rows.some((r) => r.payable);
  return (
    <form method="post" action="/gestion/habilitations" id="grille-habilitations">
      <CsrfField token={props.ctx.csrfToken} />
      <input type="hidden" name="siret" value={criteria.siret} />
      <input type="hidden" name="declarant" value={criteria.declarant} />
      <input type="hidden" name="service" value={criteria.service} />
      <input type="hidden" name="page" value={String(grid.page)} />
      {grid.rows.map((r) => (
        <input key={r.key} type="hidden" name="rows" value={r.key} />
      ))}
      <p>Cochez ou décochez les cases pour ajouter ou supprimer des habilitations, puis cliquez sur « Valider ».</p>
      <Table
        bordered
        caption={pagedCaption('Habilitations', grid.total, 'ligne', grid.page, grid.pages)}
        columns={[
          'Service',
          'Siret',
          'Déclarants',
          <>
            Déclarer
            <br />
            <ToggleColumn column="declarer" label="Déclarer" />
          </>,
          <>
            Payer
            {anyPayable ? (
              <>
                <br />
                <ToggleColumn column="payer" label="Payer" />
              </>
            ) : null}
          </>,
        ]}
        rows={grid.rows}
        row={(r, i) => <GridLine key={r.key} row={r} index={i} />}
      />
      <BackAndSubmit back={query(criteria, grid.page)} backLabel="Annuler" submit="Valider" />
      {grid.pages > 1 ? (
        <p className="fr-hint-text">
          Validez chaque page avant de passer à la suivante : seules les lignes de la page affichée sont enregistrées.
        </p>
      ) : null}
    </form>
  );
}

/** One box of the grid, labelled for screen readers. */
function RightBox(props: { column: 'declarer' | 'payer'; row: GridRowView; index: number; checked: boolean }) {
  const { row, column } = props;
  const id = `${column}-${props.index}`;
  return (
    <div className="fr-checkbox-group fr-checkbox-group--sm">
      <input type="checkbox" id={id} name={column} value={row.key} defaultChecked={props.checked} data-colonne={column} />
      <label className="fr-label" htmlFor={id} style={BOX_LABEL}>
        <span className="fr-sr-only">{`${column === 'declarer' ? 'Déclarer' : 'Payer'} ${row.serviceName} pour ${row.personLabel} sur ${row.siret}`}</span>
      </label>
    </div>
  );
}

function GridLine(props: { row: GridRowView; index: number }) {
  const r = props.row;
  return (
    <tr>
      <th scope="row">{r.serviceName}</th>
      <td>{r.siret}</td>
      <td>{r.personLabel}</td>
      <td>
        <RightBox column="declarer" row={r} index={props.index} checked={r.declarer} />
      </td>
      <td>
        {r.payable ? (
          <RightBox column="payer" row={r} index={props.index} checked={r.payer} />
        ) : (
          <span className="fr-hint-text">Sans objet</span>
        )}
      </td>
    </tr>
  );
}

/** « Modification en masse et historique »: export, import, history. */
function BulkLinks() {
  return (
    <>
      <h2 className="fr-mt-6w">Modification en masse et historique</h2>
      <ul>
        <li>
          <a className="fr-link" href="/gestion/habilitations/export.csv" download>
            Exporter les habilitations (CSV)
          </a>
        </li>
        <li>
          <a className="fr-link" href="/gestion/habilitations/import">
            Importer un fichier d’habilitations modifié
          </a>
        </li>
        <li>
          <a className="fr-link" href="/gestion/habilitations/historique">
            Historique des habilitations
          </a>
        </li>
      </ul>
    </>
  );
}
