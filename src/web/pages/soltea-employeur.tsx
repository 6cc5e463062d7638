/**
 * Entry of « SOLTéA - Employeurs » for a habilitated user: the SIRETs they may act for (with where each
 * stands in the campaign, and why a tiers-déclarant's client is unavailable), each opening its
 * Synthèse, and the search of habilitated establishments (with « Attribuer » when there is one SIRET).
 */
import { formatSiret } from '../../domain/identifiers.js';
import { formatEuros, formatPercent } from '../../shared/format.js';
import { Table } from '../components/table.js';
import { Layout, type PageContext } from '../layout.js';
import { Pagination } from './habilitations.js';
import { attribuerUrl, employerUrl } from './soltea-employeur-frame.js';
import type { SearchView } from '../../modules/recherche/search-view.js';
import type { EmployerList } from '../../modules/attributions/liste.js';
import { Search } from './soltea-recherche.js';

export interface EmployeurSiret {
  siret: string;
  denomination: string | null;
  commune: string | null;
  via: 'propre' | 'client';
  indisponible: string | null;
  creditsCents?: bigint | null;
  totalBp?: number;
  aValider?: number;
}

function Avancement(props: { s: EmployeurSiret }) {
  const s = props.s;
  if (s.indisponible) return <span className="fr-badge fr-badge--sm fr-badge--no-icon">Indisponible</span>;
  if (s.creditsCents === null || s.creditsCents === undefined)
    return <span className="fr-badge fr-badge--sm fr-badge--no-icon">Aucun solde transmis</span>;
  if (!s.totalBp) return <span className="fr-badge fr-badge--sm fr-badge--info">À répartir</span>;
  if (s.aValider)
    return <span className="fr-badge fr-badge--sm fr-badge--warning">{`${formatPercent(s.totalBp)} attribués, à enregistrer`}</span>;
  return (
    <span
      className={`fr-badge fr-badge--sm ${s.totalBp === 10_000 ? 'fr-badge--success' : 'fr-badge--new'}`}
    >{`${formatPercent(s.totalBp)} attribués`}</span>
  );
}

export type EmployeurListe = EmployerList['liste'];

/** The filter of the SIRETs the person acts for (offered when they are more than one page, or filtered). */
function SiretFilter(props: { filtre: string }) {
  return (
    <form
      method="get"
      action="/soltea/employeur"
      className="fr-mb-2w"
      role="search"
      aria-label="Filtrer les établissements pour lesquels vous agissez"
    >
      <div className="fr-search-bar" role="search">
        <label className="fr-label" htmlFor="siretFiltre">
          SIRET, dénomination ou commune
        </label>
        <input
          className="fr-input"
          id="siretFiltre"
          name="siretFiltre"
          type="search"
          defaultValue={props.filtre}
          maxLength={200}
          placeholder="SIRET, dénomination ou commune"
        />
        <button className="fr-btn" type="submit" title="Filtrer">
          Filtrer
        </button>
      </div>
    </form>
  );
}

/** One SIRET: its name, town, credits, where it stands, and the link to its Synthèse when available. */
function SiretRow(props: { s: EmployeurSiret }) {
  const { s } = props;
  return (
    <tr>
      <td>{formatSiret(s.siret)}</td>
      <td>
        {s.denomination ?? '—'}
        {s.via === 'client' ? <span className="fr-hint-text">Client de vos portefeuilles</span> : null}
      </td>
      <td>{s.commune ?? '—'}</td>
      <td className="fr-cell--right">{s.creditsCents === null || s.creditsCents === undefined ? '—' : formatEuros(s.creditsCents)}</td>
      <td>
        <Avancement s={s} />
        {s.indisponible ? <span className="fr-hint-text">{s.indisponible}</span> : null}
      </td>
      <td>
        {s.indisponible ? (
          '—'
        ) : (
          <a className="fr-link" href={employerUrl(s.siret)}>
            Synthèse<span className="fr-sr-only">{` de ${s.denomination ?? formatSiret(s.siret)}`}</span>
          </a>
        )}
      </td>
    </tr>
  );
}

/** The table of this page's SIRETs, its caption telling the campaign, the filter and the page. */
function SiretTable(props: { annee: number; sirets: EmployeurSiret[]; liste: EmployeurListe }) {
  const { liste } = props;
  return (
    <Table
      caption={
        <>
          {liste.total > 1 ? `Les ${liste.total} établissements pour lesquels vous agissez` : 'L’établissement pour lequel vous agissez'}
          {` — campagne ${props.annee}`}
          {liste.filtre ? ` — ${liste.trouves} correspondant à « ${liste.filtre} »` : ''}
          {liste.pages > 1 ? ` — page ${liste.page} sur ${liste.pages}` : ''}
        </>
      }
      columns={['SIRET', 'Dénomination', 'Commune', { label: 'Crédits à répartir', className: 'fr-cell--right' }, 'Avancement', 'Action']}
      rows={props.sirets}
      row={(s) => <SiretRow key={s.siret} s={s} />}
    />
  );
}

/** « Rechercher un établissement habilité », with « Attribuer » on each result when the person acts for one SIRET only. */
function EstablishmentSearch(props: { view: SearchView; only: string | null }) {
  const { view, only } = props;
  return (
    <>
      <h2>Rechercher un établissement habilité</h2>
      <Search action="/soltea/employeur" view={view} attribuerHref={only ? (etab: string) => attribuerUrl(only, etab) : undefined} />
    </>
  );
}

export function SolteaEmployeurPage(props: {
  ctx: PageContext;
  annee: number;
  sirets: EmployeurSiret[];
  liste: EmployeurListe;
  view: SearchView;
}) {
  const { liste } = props;
  const listHref = (page: number) =>
    `/soltea/employeur?${new URLSearchParams({ ...(liste.filtre ? { siretFiltre: liste.filtre } : {}), siretPage: String(page) }).toString()}`;
  return (
    <Layout ctx={props.ctx} title="SOLTéA - Employeurs" breadcrumb={[{ href: '/menu', label: 'Menu personnalisé' }]} wide>
      <h1>SOLTéA - Employeurs</h1>
      <p className="fr-text--lead">Répartir le solde de la taxe d’apprentissage aux formations et établissements habilités.</p>
      {liste.total > liste.pageSize || liste.filtre ? <SiretFilter filtre={liste.filtre} /> : null}
      {liste.trouves === 0 ? <p>{`Aucun établissement ne correspond à « ${liste.filtre} ».`}</p> : null}
      <SiretTable annee={props.annee} sirets={props.sirets} liste={liste} />
      <Pagination page={liste.page} pages={liste.pages} href={listHref} label="Pages des établissements pour lesquels vous agissez" />
      {liste.clients ? (
        <p>
          <a className="fr-link fr-icon-upload-line fr-link--icon-left" href="/soltea/employeur/import">
            Répartir pour plusieurs clients à partir d’un fichier CSV
          </a>
        </p>
      ) : null}
      <EstablishmentSearch view={props.view} only={liste.usable.length === 1 ? liste.usable[0]! : null} />
    </Layout>
  );
}
