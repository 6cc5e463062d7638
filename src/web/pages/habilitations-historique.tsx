/** « Historique des habilitations »: who changed which right, and when, newest first. */
import { Alert } from '../components/form.js';
import { pagedCaption, payerCell, Table, yesNo } from '../components/table.js';
import { Layout, type PageContext } from '../layout.js';
import { HABILITATIONS_CRUMB, Pagination } from './habilitations.js';

export interface HistoryRowView {
  id: number;
  at: string;
  actor: string;
  person: string;
  siret: string;
  service: string;
  declarer: boolean;
  payer: boolean;
  payable: boolean;
}

export function HabilitationsHistoryPage(props: { ctx: PageContext; rows: HistoryRowView[]; page: number; pages: number; total: number }) {
  return (
    <Layout ctx={props.ctx} title="Historique des habilitations" breadcrumb={HABILITATIONS_CRUMB} wide>
      <h1>Historique des habilitations</h1>
      <p>
        Chaque attribution et chaque retrait d’un droit, du plus récent au plus ancien : les colonnes « Déclarer » et « Payer » donnent les
        droits après la modification.
      </p>
      <p>
        <a className="fr-link fr-icon-download-line fr-link--icon-left" href="/gestion/habilitations/historique.csv" download>
          Exporter l’historique (CSV)
        </a>
      </p>
      {props.rows.length === 0 ? (
        <Alert type="info">Aucune modification d’habilitation n’a encore été enregistrée.</Alert>
      ) : (
        <Table
          bordered
          caption={pagedCaption('Historique', props.total, 'modification', props.page, props.pages)}
          columns={['Date', 'Par', 'Déclarant', 'Siret', 'Service', 'Déclarer', 'Payer']}
          rows={props.rows}
          rowKey={(r) => r.id}
          cells={(r) => [r.at, r.actor, r.person, r.siret, r.service, yesNo(r.declarer), payerCell(r.payable, r.payer)]}
        />
      )}
      <Pagination
        page={props.page}
        pages={props.pages}
        href={(p) => `/gestion/habilitations/historique?page=${p}`}
        label="Pages de l’historique"
      />
      <p>
        <a className="fr-link" href="/gestion/habilitations">
          Retour à la gestion des habilitations
        </a>
      </p>
    </Layout>
  );
}
