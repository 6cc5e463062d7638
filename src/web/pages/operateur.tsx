/**
 * The operator's space (Caisse des Dépôts): the frame of its pages (side menu), the home page and
 * « Coordonnées bancaires » (the bank details to verify, with the verdict). The payment waves' pages are
 * in operateur-vagues.tsx, the reliquat's and the reconciliation's in operateur-reliquat.tsx.
 */
import type { ReactNode } from 'react';
import { formatSiret } from '../../domain/identifiers.js';
import type { BankDetailsToVerify } from '../../modules/espace-etablissement/verification-bancaire.js';
import { formatDateTime, plural } from '../../shared/format.js';
import type { FieldErrors } from '../../shared/fields.js';
import { Alert, CsrfField, ErrorSummary } from '../components/form.js';
import { SideMenu } from '../components/side-menu.js';
import { Table } from '../components/table.js';
import { Layout, type PageContext } from '../layout.js';

/** The side menu; imports will take their place here. */
export const OPERATOR_TABS = [
  { key: 'accueil', label: 'Accueil', href: '/operateur' },
  { key: 'campagnes', label: 'Campagnes', href: '/operateur/campagnes' },
  { key: 'vagues', label: 'Vagues de versement', href: '/operateur/vagues' },
  { key: 'reliquat', label: 'Reliquat', href: '/operateur/reliquat' },
  { key: 'rapprochement', label: 'Rapprochement', href: '/operateur/rapprochement' },
  { key: 'banque', label: 'Coordonnées bancaires', href: '/operateur/coordonnees-bancaires' },
  { key: 'sans-coordonnees', label: 'Établissements sans coordonnées', href: '/operateur/sans-coordonnees' },
  { key: 'non-versables', label: 'Lignes non versables', href: '/operateur/non-versables' },
  { key: 'support', label: 'Recherche support', href: '/operateur/support' },
  { key: 'imports', label: 'Imports', href: '/operateur/imports' },
  { key: 'statistiques', label: 'Statistiques', href: '/operateur/statistiques' },
  { key: 'messages', label: 'Messages', href: '/operateur/messages' },
] as const satisfies readonly { key: string; label: string; href: string }[];

/** What an operator's page may say after a form: the notice of what was done, or the errors and the message. */
export interface OperatorFeedback {
  notice?: string | undefined;
  message?: string;
  errors?: FieldErrors;
}

export type OperatorTab = (typeof OPERATOR_TABS)[number]['key'];

export function OperatorFrame(props: {
  ctx: PageContext;
  tab: OperatorTab;
  title: string;
  notice?: string | undefined;
  children: ReactNode;
  breadcrumb?: { href: string; label: string }[];
}) {
  const crumbs = props.tab === 'accueil' ? [] : [{ href: '/operateur', label: 'Espace opérateur' }, ...(props.breadcrumb ?? [])];
  return (
    <Layout ctx={props.ctx} title={props.title} breadcrumb={crumbs} wide>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-3">
          <SideMenu id="operateur-menu" title="Espace opérateur" items={OPERATOR_TABS} current={props.tab} />
        </div>
        <div className="fr-col-12 fr-col-md-9">
          <h1>{props.title}</h1>
          {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
          {props.children}
        </div>
      </div>
    </Layout>
  );
}

export function OperatorHomePage(props: { ctx: PageContext; notice?: string | undefined; aVerifier: number }) {
  const agent = props.ctx.agent;
  return (
    <OperatorFrame ctx={props.ctx} tab="accueil" title="Espace opérateur" notice={props.notice}>
      <p className="fr-text--lead">
        {agent ? `Bonjour ${agent.prenom} ${agent.nom} (${agent.role === 'valideur' ? 'valideur' : 'gestionnaire'}).` : ''}
      </p>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <div className="fr-tile fr-enlarge-link">
            <div className="fr-tile__body">
              <h2 className="fr-tile__title">
                <a href="/operateur/vagues">Vagues de versement</a>
              </h2>
              <p className="fr-tile__desc">
                Préparer (gestionnaire), approuver par un autre agent et émettre (valideur) les virements SEPA aux établissements.
              </p>
            </div>
          </div>
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <div className="fr-tile fr-enlarge-link">
            <div className="fr-tile__body">
              <h2 className="fr-tile__title">
                <a href="/operateur/coordonnees-bancaires">Coordonnées bancaires</a>
              </h2>
              <p className="fr-tile__desc">{`${plural(props.aVerifier, 'coordonnée bancaire', 'coordonnées bancaires')} à vérifier.`}</p>
            </div>
          </div>
        </div>
      </div>
    </OperatorFrame>
  );
}

export function OperatorBankPage(
  props: {
    ctx: PageContext;
    rows: BankDetailsToVerify[];
    total: number;
    page: number;
    pages: number;
  } & OperatorFeedback,
) {
  return (
    <OperatorFrame ctx={props.ctx} tab="banque" title="Coordonnées bancaires à vérifier" notice={props.notice}>
      <p>
        Vérifiez chaque compte avec les pièces de l’établissement avant tout virement : « Vérifiée » le rend payable, « Rejetée » prévient
        les administrateurs de l’établissement avec le motif. Votre nom est enregistré avec le verdict.
      </p>
      <ErrorSummary errors={props.errors} message={props.message} />
      {props.rows.length === 0 ? (
        <Alert type="info">Aucune coordonnée bancaire n’est à vérifier.</Alert>
      ) : (
        <>
          <p>{`${plural(props.total, 'coordonnée bancaire', 'coordonnées bancaires')} à vérifier, les plus anciennes d’abord.`}</p>
          {props.rows.map((r) => (
            <BankRow key={r.id} ctx={props.ctx} row={r} />
          ))}
          <Pager page={props.page} pages={props.pages} base="/operateur/coordonnees-bancaires" />
        </>
      )}
    </OperatorFrame>
  );
}

function BankRow(props: { ctx: PageContext; row: BankDetailsToVerify }) {
  const r = props.row;
  const id = `motif-${r.id}`;
  return (
    <section className="soltea-encadre fr-mb-3w fr-p-3w" aria-labelledby={`titre-${r.id}`}>
      <h2 className="fr-h5" id={`titre-${r.id}`}>{`${r.nom} - SIRET ${formatSiret(r.siret)}`}</h2>
      <p className="fr-mb-1w">{`IBAN ${r.ibanMasque} · BIC ${r.bic} · titulaire « ${r.titulaire} » · saisies le ${formatDateTime(r.createdAt)}`}</p>
      <Table
        className="fr-table--sm fr-mb-2w"
        caption={`Historique des modifications - SIRET ${formatSiret(r.siret)}`}
        columns={['Date', 'Modification']}
        rows={r.historique}
        rowKey={(_e, i) => i}
        cells={(e) => [formatDateTime(e.at), e.evenement]}
      />
      <form method="post" action="/operateur/coordonnees-bancaires" noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        <input type="hidden" name="siret" value={r.siret} />
        <input type="hidden" name="id" value={String(r.id)} />
        <div className="fr-input-group">
          <label className="fr-label" htmlFor={id}>
            Motif du rejet
            <span className="fr-hint-text">Obligatoire pour « Rejetée » ; communiqué à l’établissement.</span>
          </label>
          <input className="fr-input" id={id} name="motif" maxLength={500} />
        </div>
        <ul className="fr-btns-group fr-btns-group--inline-sm">
          <li>
            <button className="fr-btn" type="submit" name="statut" value="verifiee">
              Vérifiée
            </button>
          </li>
          <li>
            <button className="fr-btn fr-btn--secondary" type="submit" name="statut" value="rejetee">
              Rejetée
            </button>
          </li>
        </ul>
      </form>
    </section>
  );
}

/** DSFR pagination: previous, « page n sur m », next. */
export function Pager(props: { page: number; pages: number; base: string }) {
  if (props.pages <= 1) return null;
  const href = (p: number) => `${props.base}${props.base.includes('?') ? '&' : '?'}page=${p}`;
  return (
    <nav role="navigation" className="fr-pagination" aria-label="Pagination">
      <ul className="fr-pagination__list">
        <li>
          {props.page > 1 ? (
            <a className="fr-pagination__link fr-pagination__link--prev fr-pagination__link--lg-label" href={href(props.page - 1)}>
              Page précédente
            </a>
          ) : (
            <a className="fr-pagination__link fr-pagination__link--prev fr-pagination__link--lg-label" aria-disabled="true" role="link">
              Page précédente
            </a>
          )}
        </li>
        <li>
          <a className="fr-pagination__link" aria-current="page" title={`Page ${props.page}`}>
            {`${props.page} sur ${props.pages}`}
          </a>
        </li>
        <li>
          {props.page < props.pages ? (
            <a className="fr-pagination__link fr-pagination__link--next fr-pagination__link--lg-label" href={href(props.page + 1)}>
              Page suivante
            </a>
          ) : (
            <a className="fr-pagination__link fr-pagination__link--next fr-pagination__link--lg-label" aria-disabled="true" role="link">
              Page suivante
            </a>
          )}
        </li>
      </ul>
    </nav>
  );
}
