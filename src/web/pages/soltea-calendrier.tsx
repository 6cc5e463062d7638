/** SOLTéA's public calendar of a campaign: each phase with its dates, today's marked, and the payments. */
import type { PublicCalendar } from '../../modules/campagnes/calendrier.js';
import { formatJour } from '../../domain/jours.js';
import { Alert } from '../components/form.js';
import { Table } from '../components/table.js';
import { Layout, type PageContext } from '../layout.js';

const CRUMB = [
  { href: '/', label: 'Accueil' },
  { href: '/soltea', label: 'SOLTéA' },
];

export function CalendrierPage(props: { ctx: PageContext; calendar: PublicCalendar }) {
  const c = props.calendar;
  const title = `Calendrier de la campagne ${c.annee}`;
  return (
    <Layout ctx={props.ctx} title={title} breadcrumb={CRUMB} wide>
      <h1>{title}</h1>
      <p className="fr-text--lead">{c.situation}</p>
      <Table
        bordered
        caption={`Les étapes de la campagne ${c.annee} du solde de la taxe d’apprentissage`}
        columns={['Étape', 'Du', 'Au', 'Ce qui se passe']}
        rows={c.phases}
        row={(p) => (
          <tr key={p.cible} className={p.current ? 'calendrier-en-cours' : undefined} aria-current={p.current ? 'step' : undefined}>
            <th scope="row">
              {p.label}
              {p.current ? (
                <>
                  {' '}
                  <span className="fr-badge fr-badge--sm fr-badge--success">Étape en cours</span>
                </>
              ) : null}
            </th>
            <td>{formatJour(p.debut)}</td>
            <td>{p.fin ? formatJour(p.fin) : '—'}</td>
            <td>{p.description}</td>
          </tr>
        )}
      />
      {c.phases.some((p) => p.current) ? null : <Alert type="info">La campagne {c.annee} n’a pas encore commencé.</Alert>}
      <Table
        className="fr-mt-4w"
        caption={`Les versements aux établissements, campagne ${c.annee}`}
        columns={['Versement', 'À partir du', 'Choix payés']}
        rows={c.vagues}
        empty="Aucun versement n’est prévu."
        row={(v) => (
          <tr key={v.numero}>
            <th scope="row">{`Versement n° ${v.numero}`}</th>
            <td>{formatJour(v.date)}</td>
            <td>{`Ceux de la période de répartition ${v.periodeNumero}`}</td>
          </tr>
        )}
      />
      {c.source ? <p className="fr-text--sm">{`Source : ${c.source}.`}</p> : null}
      {c.annees.length > 1 ? (
        <nav aria-labelledby="autres-campagnes">
          <h2 className="fr-h6" id="autres-campagnes">
            Les autres campagnes
          </h2>
          <ul>
            {c.annees
              .filter((a) => a !== c.annee)
              .map((a) => (
                <li key={a}>
                  <a className="fr-link" href={`/soltea/calendrier?annee=${a}`}>{`Calendrier de la campagne ${a}`}</a>
                </li>
              ))}
          </ul>
        </nav>
      ) : null}
      <p>
        <a className="fr-link" href="/soltea/recherche">
          Recherche établissement
        </a>
      </p>
    </Layout>
  );
}
