/** « Consultation »: the company's history of changes, filtered, 50 a page, and its CSV export. */
import type { FieldErrors } from '../../shared/fields.js';
import { ButtonsGroup, DownloadLink } from '../components/buttons.js';
import { Alert, BackToMenu, ErrorSummary, Input, Select } from '../components/form.js';
import { pagedCaption, Table } from '../components/table.js';
import { Layout, type PageContext } from '../layout.js';
import { Pagination } from './habilitations.js';

export interface ConsultationRowView {
  id: number;
  at: string;
  kind: string;
  label: string;
  actor: string;
  target: string;
  detail: string;
}

export interface ConsultationView {
  /** the filters as typed (strings, '' for « tous ») */
  values: { type: string; du: string; au: string; personne: string };
  kinds: readonly { value: string; label: string }[];
  people: readonly { value: string; label: string }[];
  rows: ConsultationRowView[];
  page: number;
  pages: number;
  total: number;
  /** the query string of the filters (without the page), for the pages' and the CSV's links */
  query: string;
}

const TITLE = 'Consultation';

/** A filter's list, its first option (value '') for « tous ». */
function FilterSelect(props: {
  name: string;
  label: string;
  all: string;
  options: ConsultationView['kinds'];
  value: string;
  error?: string;
}) {
  return (
    <div className="fr-col-12 fr-col-md-3">
      <Select
        name={props.name}
        label={props.label}
        options={[{ value: '', label: props.all }, ...props.options]}
        value={props.value}
        error={props.error}
      />
    </div>
  );
}

function Filters(props: { view: ConsultationView; errors?: FieldErrors }) {
  const v = props.view.values;
  const e = props.errors ?? {};
  return (
    <form method="get" action="/gestion/consultation" noValidate aria-labelledby="filtres-titre" className="fr-mb-4w">
      <h2 className="fr-h5" id="filtres-titre">
        Critères de recherche
      </h2>
      <div className="fr-grid-row fr-grid-row--gutters">
        <FilterSelect name="type" label="Type" all="Tous les types" options={props.view.kinds} value={v.type} error={e.type} />
        <div className="fr-col-12 fr-col-md-3">
          <Input name="du" type="date" label="Du" value={v.du} error={e.du} />
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <Input name="au" type="date" label="Au" value={v.au} error={e.au} />
        </div>
        <FilterSelect
          name="personne"
          label="Personne"
          all="Toutes les personnes"
          options={props.view.people}
          value={v.personne}
          error={e.personne}
        />
      </div>
      <ButtonsGroup
        className="fr-btns-group--inline-md fr-mt-2w"
        buttons={[
          { label: 'Rechercher', submit: true },
          { label: 'Effacer les critères', href: '/gestion/consultation', className: 'fr-btn fr-btn--secondary' },
        ]}
      />
    </form>
  );
}

export function ConsultationPage(props: { ctx: PageContext; view: ConsultationView; errors?: FieldErrors }) {
  const { view } = props;
  const sep = view.query ? '&' : '';
  return (
    <Layout ctx={props.ctx} title={TITLE} breadcrumb={[{ href: '/menu', label: 'Menu personnalisé' }]} wide>
      <h1>{TITLE}</h1>
      <p>
        L’historique des modifications de votre entreprise, de la plus récente à la plus ancienne : habilitations, déclarants, déclarations,
        portefeuilles et attributions SOLTéA.
      </p>
      <ErrorSummary errors={props.errors} />
      <Filters view={view} errors={props.errors} />
      {props.errors ? null : (
        <>
          <DownloadLink href={`/gestion/consultation.csv${view.query ? `?${view.query}` : ''}`} label="Exporter l’historique (CSV)" />
          {view.rows.length === 0 ? (
            <Alert type="info">Aucune modification ne correspond à ces critères.</Alert>
          ) : (
            <Table
              bordered
              caption={pagedCaption('Historique', view.total, 'modification', view.page, view.pages)}
              columns={['Date', 'Type', 'Modification', 'Par', 'Personne concernée', 'Détail']}
              rows={view.rows}
              rowKey={(r) => r.id}
              cells={(r) => [r.at, r.kind, r.label, r.actor, r.target, r.detail]}
            />
          )}
          <Pagination
            page={view.page}
            pages={view.pages}
            href={(p) => `/gestion/consultation?${view.query}${sep}page=${p}`}
            label="Pages de l’historique"
          />
        </>
      )}
      <BackToMenu />
    </Layout>
  );
}
