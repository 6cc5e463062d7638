/** « Récapitulatif » of the portefeuilles (paged on screen, whole to print), and the portefeuilles a déclarant works on. */
import type { ReactNode } from 'react';
import { findDeclaration } from '../../domain/declarations.js';
import type { RecapRow } from '../../modules/gestion/portefeuilles-recapitulatif.js';
import { formatSiren } from '../../domain/identifiers.js';
import { Alert, BackToMenu } from '../components/form.js';
import { Table } from '../components/table.js';
import { Layout, type PageContext } from '../layout.js';
import {
  EXPORT_RECAP,
  LIST,
  MENU,
  Pagination,
  printRecap,
  RecapButtons,
  type PortefeuilleClients,
  type PortefeuilleSummary,
} from './portefeuilles-parts.js';

// ── récapitulatif ───────────────────────────────────────────────────────────────────────────────

/** « DSN, SOLTéA - Employeurs »: the names of the codes of a line. */
const names = (codes: string | null) =>
  (codes ?? '')
    .split(',')
    .filter(Boolean)
    .map((c) => findDeclaration(c)?.name ?? c)
    .join(', ');

function RecapTable(props: { rows: RecapRow[] }) {
  return (
    <Table
      bordered
      className="fr-table--no-caption-print"
      caption={`Portefeuilles, entreprises et établissements choisis (${props.rows.filter((r) => r.siret).length} établissements)`}
      columns={['Portefeuille', 'SIREN', 'Raison sociale', 'Type', 'SIRET', 'Déclarations']}
      rows={props.rows}
      empty="La liste est vide"
      row={(r, i) => (
        <tr key={`${i}-${r.siret ?? r.siren ?? r.portefeuille}`}>
          <th scope="row">{r.portefeuille}</th>
          <td>{r.siren ? formatSiren(r.siren) : '—'}</td>
          <td>{r.raisonSociale ?? ''}</td>
          <td>{r.type ?? ''}</td>
          <td>{r.siret ?? ''}</td>
          <td>{names(r.declarations)}</td>
        </tr>
      )}
    />
  );
}

/** « Imprimer », « Exporter » (not on the printable version) and « Retour ». */
function RecapActions(props: { ctx: PageContext; print: boolean; back?: string }) {
  return (
    <RecapButtons
      buttons={[
        props.print ? null : printRecap(props.back ?? '/gestion/portefeuilles/recapitulatif'),
        props.back ? null : EXPORT_RECAP,
        {
          label: 'Retour',
          href: props.ctx.viewer?.role === 'administrateur' ? '/gestion/portefeuilles' : '/portefeuilles',
          className: 'fr-btn fr-btn--tertiary',
        },
      ]}
    />
  );
}

/** `page`/`pages`: the screen version is paged (50 clients a page); print and CSV keep everything. */
export function RecapPage(props: {
  ctx: PageContext;
  rows: RecapRow[];
  print: boolean;
  title?: string;
  back?: string;
  page?: number;
  pages?: number;
}) {
  const title = props.title ?? 'Récapitulatif de vos portefeuilles';
  return (
    <Layout ctx={props.ctx} title={title} breadcrumb={[MENU, LIST]} wide>
      <h1>{title}</h1>
      {props.print ? (
        <div className="no-print fr-mb-3w">
          <Alert type="info">
            <p>Version imprimable : utilisez le bouton ci-dessous ou la commande « Imprimer » de votre navigateur (Ctrl + P).</p>
          </Alert>
          <button className="fr-btn fr-icon-printer-line fr-btn--icon-left" type="button" data-action="imprimer">
            Imprimer
          </button>
        </div>
      ) : null}
      <RecapTable rows={props.rows} />
      {props.page && props.pages && props.pages > 1 ? (
        <Pagination
          page={props.page}
          pages={props.pages}
          href={(n) => `/gestion/portefeuilles/recapitulatif?page=${n}`}
          label="Pages du récapitulatif"
        />
      ) : null}
      <RecapActions ctx={props.ctx} print={props.print} back={props.back} />
    </Layout>
  );
}

// ── déclarants of a tiers: their portefeuilles (read only) ──────────────────────────────────────

export function ViewerPortefeuillesPage(props: { ctx: PageContext; rows: PortefeuilleSummary[] }) {
  return (
    <Layout ctx={props.ctx} title="Vos portefeuilles" breadcrumb={[MENU]} wide>
      <h1>Vos portefeuilles</h1>
      <p>Les portefeuilles sur lesquels vous travaillez et leurs entreprises clientes.</p>
      <Table
        bordered
        caption={`Vos portefeuilles (${props.rows.length})`}
        columns={['Portefeuille', 'Nombre d’entreprises', 'Commentaire']}
        rows={props.rows}
        empty="Vous ne travaillez sur aucun portefeuille : demandez à votre administrateur de vous en confier un."
        row={(r) => (
          <tr key={r.id}>
            <th scope="row">
              <a href={`/portefeuilles/${r.id}`}>{r.name}</a>
            </th>
            <td>{r.clientCount}</td>
            <td>{r.comment}</td>
          </tr>
        )}
      />
      <BackToMenu />
    </Layout>
  );
}

export function ViewerPortefeuillePage(props: { ctx: PageContext } & PortefeuilleClients): ReactNode {
  return (
    <Layout
      ctx={props.ctx}
      title={`Portefeuille ${props.portefeuille.name}`}
      breadcrumb={[MENU, { href: '/portefeuilles', label: 'Vos portefeuilles' }]}
      wide
    >
      <h1>{`Portefeuille ${props.portefeuille.name}`}</h1>
      <Table
        bordered
        caption={`Entreprises du portefeuille (${props.total})`}
        columns={['Entreprise', 'Raison sociale', 'Type', 'Établissements choisis']}
        rows={props.clients}
        empty="La liste est vide"
        rowKey={(c) => c.siren}
        rowHeader
        cells={(c) => [formatSiren(c.siren), c.raisonSociale, c.type, c.chosenCount]}
      />
      <Pagination
        page={props.page}
        pages={props.pages}
        href={(n) => `/portefeuilles/${props.portefeuille.id}?page=${n}`}
        label="Pages des entreprises du portefeuille"
      />
      <p>
        <a className="fr-link" href="/portefeuilles">
          Retour à vos portefeuilles
        </a>
      </p>
    </Layout>
  );
}
