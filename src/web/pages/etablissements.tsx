import { DownloadLink } from '../components/buttons.js';
import { BackToMenu } from '../components/form.js';
import { Table } from '../components/table.js';
import { Layout, type PageContext } from '../layout.js';
import { formatSiren, formatSiret } from '../../domain/identifiers.js';
import { adresseOf, ChoixDeclarationsLink, SIEGE_BADGE, type EtablissementRowView } from './declarations.js';

/** « Gérer les établissements »: the company's établissements from the registry, active and closed. */
export function EtablissementsPage(props: { ctx: PageContext; siren: string; raisonSociale: string; rows: EtablissementRowView[] }) {
  const active = props.rows.filter((r) => r.etatAdministratif === 'A').length;
  const closed = props.rows.length - active;
  return (
    <Layout ctx={props.ctx} title="Gérer les établissements" breadcrumb={[{ href: '/menu', label: 'Menu personnalisé' }]} wide>
      <h1>Gérer les établissements</h1>
      <p>
        Nom de l’entreprise : <strong>{`${props.raisonSociale} - ${formatSiren(props.siren)}`}</strong>
      </p>
      <p>
        {`${active} établissement${active > 1 ? 's' : ''} actif${active > 1 ? 's' : ''}`}
        {closed ? `, ${closed} fermé${closed > 1 ? 's' : ''}` : ''}. Ces informations proviennent du répertoire SIRENE et sont tenues à jour
        à chaque import du répertoire.
      </p>
      <Table
        bordered
        caption="Les établissements de l’entreprise"
        columns={['Siret', 'Nom', 'Adresse', 'État', 'Déclarations', 'Actions']}
        rows={props.rows}
        row={(r) => (
          <tr key={r.siret}>
            <th scope="row">
              {formatSiret(r.siret)}
              {r.estSiege ? SIEGE_BADGE : null}
            </th>
            <td>{r.denomination}</td>
            <td>{adresseOf(r)}</td>
            <td>
              {r.etatAdministratif === 'F' ? (
                <span className="fr-badge fr-badge--sm fr-badge--warning">Fermé</span>
              ) : (
                <span className="fr-badge fr-badge--sm fr-badge--success">Actif</span>
              )}
            </td>
            <td>{r.declarations}</td>
            <td>
              <ChoixDeclarationsLink siret={r.siret} className="fr-link" />
            </td>
          </tr>
        )}
      />
      <DownloadLink href="/gestion/etablissements.csv" label="Exporter la liste des établissements (CSV)" />
      <BackToMenu />
    </Layout>
  );
}
