/**
 * « Attributions reçues »: the employers' allocations to the establishment, its composantes and its
 * formations, with the expected amounts (the employer named only when it shares its identity), and
 * their CSV download.
 */
import { formatSiret } from '../../domain/identifiers.js';
import type { ReceivedView } from '../../modules/espace-etablissement/attributions.js';
import { formatEuros, formatPercent } from '../../shared/format.js';
import { Alert } from '../components/form.js';
import { Table } from '../components/table.js';
import type { PageContext } from '../layout.js';
import { Figure, SpaceFrame, spaceUrl, type SpaceHeader } from './soltea-etablissement.js';

function Totals(props: { view: ReceivedView }) {
  const v = props.view;
  return (
    <div className="fr-grid-row fr-grid-row--gutters fr-mb-2w">
      <Figure value={formatEuros(v.totalCents)} label="montant attendu au total" />
      <Figure value={String(v.employeurs)} label={`employeur${v.employeurs > 1 ? 's' : ''}, dont ${v.anonymes} sans partage d’identité`} />
      <Figure value={String(v.lines.length)} label={`attribution${v.lines.length > 1 ? 's' : ''}`} />
    </div>
  );
}

function Line(props: { line: ReceivedView['lines'][number] }) {
  const l = props.line;
  return (
    <tr>
      <th scope="row">
        {l.employeur ? (
          <>
            {l.employeur.raisonSociale}
            <br />
            <span className="fr-text--sm">{`SIRET ${formatSiret(l.employeur.siret)}`}</span>
          </>
        ) : (
          l.employeurNom
        )}
      </th>
      <td>
        {l.beneficiaire}
        {l.formation ? (
          <>
            <br />
            <span className="fr-text--sm">{`Formation : ${l.formation}`}</span>
          </>
        ) : null}
      </td>
      <td>{formatPercent(l.pointsBase)}</td>
      <td>{l.montantCents === null ? 'Montant à venir' : formatEuros(l.montantCents)}</td>
      <td>{l.statutLibelle}</td>
    </tr>
  );
}

function Lines(props: { view: ReceivedView }) {
  const v = props.view;
  return (
    <Table
      bordered
      caption={`Attributions reçues pour la campagne ${v.annee}`}
      columns={['Employeur', 'Bénéficiaire', 'Pourcentage', 'Montant attendu', 'Statut']}
      rows={v.lines}
      row={(l) => <Line key={l.id} line={l} />}
      foot={
        <tr>
          <th scope="row" colSpan={3}>
            Total
          </th>
          <td>{formatEuros(v.totalCents)}</td>
          <td></td>
        </tr>
      }
    />
  );
}

export function AttributionsPage(props: { ctx: PageContext; head: SpaceHeader; view: ReceivedView }) {
  const v = props.view;
  const h = props.head;
  return (
    <SpaceFrame ctx={props.ctx} head={h} tab="attributions" title="Attributions reçues">
      <p>
        Les attributions des employeurs à votre établissement, à ses composantes et à ses formations pour la campagne {v.annee}, au fil de
        leurs choix. Le montant attendu est la part des crédits de l’employeur, calculée au centime ; il peut encore évoluer tant que
        l’employeur n’a pas validé son attribution et jusqu’au versement. L’employeur n’est nommé que s’il a accepté le partage de ses
        coordonnées.
      </p>
      {v.lines.length === 0 ? (
        <Alert type="info" title="Aucune attribution pour l’instant">
          <p>{`Aucun employeur n’a encore attribué de part du solde de sa taxe d’apprentissage à votre établissement pour la campagne ${v.annee}. Les attributions apparaîtront ici dès qu’elles seront enregistrées. Faites connaître votre fiche aux entreprises avec le lien direct.`}</p>
        </Alert>
      ) : (
        <>
          <Totals view={v} />
          <Lines view={v} />
          {v.sansMontant ? (
            <p className="fr-text--sm">{`${v.sansMontant} attribution(s) sans montant : les crédits de l’employeur ne sont pas encore connus.`}</p>
          ) : null}
          <p>
            <a className="fr-link fr-icon-download-line fr-link--icon-right" href={`${spaceUrl(h.siret, 'attributions')}.csv`} download>
              Télécharger les attributions (CSV)
            </a>
          </p>
        </>
      )}
      <p className="fr-text--sm">
        Les virements sont faits par la Caisse des Dépôts aux dates de la campagne, sur les coordonnées bancaires vérifiées de
        l’établissement, avec le libellé « TAXE- APPRENTISSAGE - {h.siret}- {v.annee} - n° de virement ».
      </p>
    </SpaceFrame>
  );
}
