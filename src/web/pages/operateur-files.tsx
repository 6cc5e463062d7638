/**
 * The operator's work queues: « Établissements sans coordonnées » (the establishments a period's reminder
 * concerns, with the bulk reminder) and « Lignes non versables » (D. 6241-27-1). The bank details to
 * verify are in operateur.tsx, the support search in operateur-support.tsx.
 */
import type { Periode } from '../../domain/campagne.js';
import { formatSiret } from '../../domain/identifiers.js';
import { formatJour } from '../../domain/jours.js';
import type { UnpayableLine } from '../../modules/versements/apercu.js';
import type { SansCoordonnees } from '../../modules/messages/rappels-coordonnees.js';
import { formatDateTime, formatEuros, formatInteger, plural } from '../../shared/format.js';
import { Alert, CsrfField, ErrorSummary } from '../components/form.js';
import { Table } from '../components/table.js';
import type { PageContext } from '../layout.js';
import { OperatorFrame, Pager } from './operateur.js';

const SITUATIONS: Record<SansCoordonnees['situation'], string> = {
  aucune: 'Aucune coordonnée bancaire',
  a_verifier: 'Coordonnées à vérifier',
  rejetee: 'Coordonnées rejetées',
  rejet_bancaire: 'Virement rejeté par la banque',
};

export function SansCoordonneesPage(props: {
  ctx: PageContext;
  annee: number;
  periode: Periode | null;
  /** days left until the period's last day (0: it is the last day) */
  joursRestants: number | null;
  rows: SansCoordonnees[];
  total: number;
  rappeles: number;
  page: number;
  pages: number;
  canSend: boolean;
  notice?: string | undefined;
  message?: string;
}) {
  const p = props.periode;
  return (
    <OperatorFrame
      ctx={props.ctx}
      tab="sans-coordonnees"
      title={`Établissements sans coordonnées - campagne ${props.annee}`}
      notice={props.notice}
    >
      <p>
        Les établissements qui reçoivent des attributions sans coordonnées bancaires vérifiées ne pourront pas être payés : les employeurs
        pourront attribuer ces parts à un autre établissement (article D. 6241-27-1 du code du travail). Chaque établissement est relancé
        une fois par période, par courriel et dans le tableau de bord de ses administrateurs.
      </p>
      <ErrorSummary message={props.message} />
      {p ? (
        <div className="fr-callout fr-mb-3w">
          <h2 className="fr-callout__title fr-h5">{`Période de répartition ${p.numero} : fin le ${formatJour(p.fin)}`}</h2>
          <p className="fr-callout__text">
            {`${props.joursRestants === 0 ? 'Dernier jour de la période.' : `${plural(props.joursRestants ?? 0, 'jour', 'jours')} avant la fin de la période.`} ${plural(props.total, 'établissement concerné', 'établissements concernés')}, dont ${plural(props.rappeles, 'déjà relancé', 'déjà relancés')} pour cette période.`}
          </p>
          {props.canSend && props.total > props.rappeles ? (
            <form method="post" action="/operateur/sans-coordonnees/relancer">
              <CsrfField token={props.ctx.csrfToken} />
              <input type="hidden" name="annee" value={String(props.annee)} />
              <button className="fr-btn" type="submit">
                {props.total - props.rappeles === 1
                  ? 'Relancer l’établissement pas encore relancé'
                  : `Relancer les ${formatInteger(props.total - props.rappeles)} établissements pas encore relancés`}
              </button>
            </form>
          ) : null}
          {!props.canSend ? <p className="fr-text--sm">Seul un agent gestionnaire peut envoyer les relances.</p> : null}
        </div>
      ) : (
        <Alert type="info">{`Toutes les périodes de répartition de la campagne ${props.annee} sont closes : plus aucune relance n’est utile.`}</Alert>
      )}
      <Table
        caption={`Établissements sans coordonnées bancaires vérifiées (${plural(props.total, 'établissement', 'établissements')})`}
        columns={['Établissement', 'SIRET', 'Situation', 'Relance de la période']}
        rows={props.rows}
        empty="Aucun établissement attributaire n’est sans coordonnées bancaires vérifiées."
        rowKey={(r) => r.siret}
        cells={(r) => [
          r.nom,
          formatSiret(r.siret),
          SITUATIONS[r.situation],
          r.rappeleLe ? `Relancé le ${formatDateTime(r.rappeleLe)}` : 'Pas encore relancé',
        ]}
      />
      <Pager page={props.page} pages={props.pages} base={`/operateur/sans-coordonnees?annee=${props.annee}`} />
    </OperatorFrame>
  );
}

const STATUTS: Record<string, string> = {
  en_attente: 'En attente de re-désignation',
  redesignee: 'Re-désignée par l’employeur',
  reliquat: 'Versée aux fonds non affectés',
  versee: 'Versée par une vague suivante',
  remplacee: 'Remplacée par une ligne plus récente',
};

export const statutNonVersable = (s: string) => STATUTS[s] ?? s;

export function NonVersablesPage(props: {
  ctx: PageContext;
  annee: number;
  rows: UnpayableLine[];
  total: number;
  parStatut: { statut: string; lignes: number; cents: bigint }[];
  page: number;
  pages: number;
}) {
  return (
    <OperatorFrame ctx={props.ctx} tab="non-versables" title={`Lignes non versables - campagne ${props.annee}`}>
      <p>
        Les parts d’attribution qu’une vague n’a pas pu verser (coordonnées absentes ou non vérifiées, établissement fermé, rejet bancaire).
        Les employeurs peuvent les attribuer à un autre établissement jusqu’à la fin des re-désignations ; ensuite elles rejoignent les
        fonds non affectés.
      </p>
      <Table
        caption="Lignes non versables par statut"
        columns={['Statut', 'Lignes', { label: 'Montant', className: 'fr-cell--right' }]}
        rows={props.parStatut}
        empty="Aucune ligne non versable pour cette campagne."
        row={(s) => (
          <tr key={s.statut}>
            <td>{statutNonVersable(s.statut)}</td>
            <td>{s.lignes}</td>
            <td className="fr-cell--right">{formatEuros(s.cents)}</td>
          </tr>
        )}
      />
      {props.rows.length ? (
        <>
          <Table
            caption={`Les lignes, celles en attente d’abord (${plural(props.total, 'ligne', 'lignes')})`}
            columns={['Vague', 'Employeur (SIRET)', 'Établissement', { label: 'Montant', className: 'fr-cell--right' }, 'Motif', 'Statut']}
            rows={props.rows}
            row={(r) => (
              <tr key={r.id}>
                <td>{r.vague === 0 ? 'Reliquat' : `n° ${r.vague}`}</td>
                <td>{formatSiret(r.employeur)}</td>
                <td>{`${r.beneficiaireNom} (${formatSiret(r.beneficiaire)})`}</td>
                <td className="fr-cell--right">{formatEuros(r.cents)}</td>
                <td>{r.motif}</td>
                <td>{statutNonVersable(r.statut)}</td>
              </tr>
            )}
          />
          <Pager page={props.page} pages={props.pages} base={`/operateur/non-versables?annee=${props.annee}`} />
        </>
      ) : null}
    </OperatorFrame>
  );
}
