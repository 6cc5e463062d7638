/**
 * Entry of « SOLTéA - Employeurs » for a habilitated user: the SIRETs they may act for, and the
 * search of habilitated establishments (results and fiches as on the public search).
 */
import { formatSiret } from '../../domain/identifiers.js';
import { Alert, ErrorSummary } from '../components/form.js';
import { Layout, type PageContext } from '../layout.js';
import { SearchForm, SearchResults, type SearchView } from './soltea-recherche.js';

export interface EmployeurSiret {
  siret: string;
  denomination: string | null;
  commune: string | null;
}

export function SolteaEmployeurPage(props: { ctx: PageContext; sirets: EmployeurSiret[]; view: SearchView }) {
  const { view } = props;
  return (
    <Layout ctx={props.ctx} title="SOLTéA - Employeurs" breadcrumb={[{ href: '/menu', label: 'Menu personnalisé' }]} wide>
      <h1>SOLTéA - Employeurs</h1>
      <p className="fr-text--lead">Répartir le solde de la taxe d’apprentissage aux formations et établissements habilités.</p>
      <div className="fr-table">
        <table>
          <caption>{props.sirets.length > 1 ? `Les ${props.sirets.length} établissements pour lesquels vous agissez` : 'L’établissement pour lequel vous agissez'}</caption>
          <thead>
            <tr>
              <th scope="col">SIRET</th>
              <th scope="col">Dénomination</th>
              <th scope="col">Commune</th>
            </tr>
          </thead>
          <tbody>
            {props.sirets.map((s) => (
              <tr key={s.siret}>
                <td>{formatSiret(s.siret)}</td>
                <td>{s.denomination ?? '—'}</td>
                <td>{s.commune ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Rechercher un établissement habilité</h2>
      {view.invalid ? <ErrorSummary errors={view.errors} message="Un critère de recherche est incorrect" /> : null}
      {(view.notices ?? []).map((n) => (
        <Alert key={n} type="info">
          {n}
        </Alert>
      ))}
      <SearchForm action="/soltea/employeur" view={view} />
      <SearchResults action="/soltea/employeur" view={view} />
    </Layout>
  );
}
