/**
 * « Reliquat » and « Rapprochement » of the operator's space (docs/regles.md#reliquat and
 * #rapprochement): the simulation of the campaign's reliquat (R. 6241-28) with « Calculer le reliquat »
 * for a gestionnaire from its date, and the campaign's reconciliation, balanced or with its differences.
 */
import { formatSiret } from '../../domain/identifiers.js';
import { formatJour } from '../../domain/jours.js';
import { MOTIFS_REPORT } from '../../domain/reliquat.js';
import type { RapprochementView } from '../../modules/versements/rapprochement.js';
import type { ReliquatView } from '../../modules/versements/reliquat.js';
import { formatDateTime, formatEuros, formatInteger, formatPercent, plural } from '../../shared/format.js';
import type { Problem } from '../../shared/problem.js';
import { PostButton } from '../components/buttons.js';
import { Alert } from '../components/form.js';
import { Table } from '../components/table.js';
import type { PageContext } from '../layout.js';
import { OperatorFrame, Pager } from './operateur.js';

/** A region's label (its code and name, or « Région inconnue »), given by the route. */
export interface RegionLabel {
  code: string | null;
  libelle: string;
}

function OtherYears(props: { annee: number; base: string }) {
  return (
    <p className="fr-text--sm">
      Autre campagne :{' '}
      {[props.annee - 1, props.annee + 1].map((a) => (
        <a key={a} className="fr-link fr-mr-2w" href={`${props.base}?annee=${a}`}>
          {String(a)}
        </a>
      ))}
    </p>
  );
}

export function CsvLink(props: { href: string; label: string }) {
  return (
    <p>
      <a className="fr-link fr-icon-download-line fr-link--icon-left" href={props.href}>
        {props.label}
      </a>
    </p>
  );
}

function ReliquatFigures(props: { r: ReliquatView; regions: RegionLabel[] }) {
  const { r } = props;
  const label = (code: string | null) => props.regions.find((g) => g.code === code)?.libelle ?? 'Région inconnue';
  return (
    <>
      <ul>
        <li>{`Fonds à répartir : ${formatEuros(r.poolCents)} (crédits non attribués ${formatEuros(r.nonAttribueCents)}, parts non versables non re-désignées ${formatEuros(r.nonVersableCents)})`}</li>
        <li>{`Part régionale (${formatPercent(r.regionaleBp)}) : ${formatEuros(r.regionaleCents)}`}</li>
        <li>{`Part nationale (${formatPercent(10_000 - r.regionaleBp)}) : ${formatEuros(r.nationaleCents)} pour ${plural(r.formations, 'formation', 'formations')} menant à un métier en tension`}</li>
        <li>{`Versé aux établissements : ${formatEuros(r.verseCents)} ; reste au fonds pour l’année suivante : ${formatEuros(r.reporteCents)}`}</li>
      </ul>
      <Table
        caption="Par région des employeurs"
        columns={['Région', 'Crédits non attribués', 'Parts non versables', 'Part régionale', 'Établissements habilités']}
        rows={r.regions}
        rowKey={(g) => g.region ?? 'inconnue'}
        cells={(g) => [
          label(g.region),
          formatEuros(g.nonAttribueCents),
          formatEuros(g.nonVersableCents),
          formatEuros(g.partCents),
          formatInteger(g.etablissements),
        ]}
      />
      <Table
        caption="Reste au fonds pour l’année suivante (article R. 6241-28-1 du code du travail)"
        columns={['Motif', 'Montant']}
        rows={r.reports}
        empty="Rien n’est reporté."
        rowKey={(x) => x.motif}
        cells={(x) => [MOTIFS_REPORT[x.motif], formatEuros(x.cents)]}
      />
    </>
  );
}

function SharesTable(props: { shares: ReliquatView['shares']; regions: RegionLabel[] }) {
  const label = (code: string | null) => props.regions.find((g) => g.code === code)?.libelle ?? 'Région inconnue';
  return (
    <Table
      caption="Part de chaque établissement"
      columns={['Établissement', 'SIRET', 'Région', 'Part régionale', 'Part nationale', 'Formations en tension', 'Total', 'Versable']}
      rows={props.shares}
      empty="Aucun établissement ne reçoit de part."
      rowKey={(s) => s.siret}
      cells={(s) => [
        s.nom,
        formatSiret(s.siret),
        label(s.region),
        formatEuros(s.regionaleCents),
        formatEuros(s.nationaleCents),
        formatInteger(s.formations),
        formatEuros(s.regionaleCents + s.nationaleCents),
        s.motif === null ? 'Oui' : `Non : ${MOTIFS_REPORT[s.motif]}`,
      ]}
    />
  );
}

export function ReliquatPage(props: {
  ctx: PageContext;
  annee: number;
  /** the simulation, or why it is refused */
  reliquat: ReliquatView | null;
  regions: RegionLabel[];
  /** a page of the shares */
  shares: ReliquatView['shares'];
  page: number;
  pages: number;
  /** the reliquat's date is reached: a gestionnaire may compute it */
  calculable: boolean;
  problem?: Problem | undefined;
  notice?: string | undefined;
}) {
  const r = props.reliquat;
  const gestionnaire = props.ctx.agent?.role === 'gestionnaire';
  return (
    <OperatorFrame ctx={props.ctx} tab="reliquat" title={`Reliquat ${props.annee}`} notice={props.notice}>
      <p>
        Le reliquat (article R. 6241-28 du code du travail) réunit les crédits que les employeurs n’ont pas attribués et les parts non
        versables qui n’ont pas été re-désignées. La simulation ne change rien : elle montre la répartition à ce jour.
      </p>
      {props.problem ? (
        <Alert type="error" title="Action refusée">
          {props.problem.message}
        </Alert>
      ) : null}
      {r ? (
        <>
          <p>{`Répartition à partir du ${formatJour(r.date)} ; re-désignations jusqu’au ${formatJour(r.redesignationFin)} inclus.`}</p>
          {gestionnaire && props.calculable ? (
            <PostButton
              csrfToken={props.ctx.csrfToken}
              action="/operateur/reliquat/calculer"
              label="Calculer le reliquat"
              className="fr-btn fr-mb-3w"
              fields={{ annee: String(props.annee) }}
            />
          ) : null}
          <h2>Simulation</h2>
          <ReliquatFigures r={r} regions={props.regions} />
          <h2>Parts des établissements</h2>
          <CsvLink href={`/operateur/reliquat/parts.csv?annee=${props.annee}`} label="Télécharger les parts des établissements (CSV)" />
          <SharesTable shares={props.shares} regions={props.regions} />
          <Pager page={props.page} pages={props.pages} base={`/operateur/reliquat?annee=${props.annee}`} />
        </>
      ) : null}
      <OtherYears annee={props.annee} base="/operateur/reliquat" />
    </OperatorFrame>
  );
}

export function RapprochementPage(props: { ctx: PageContext; view: RapprochementView }) {
  const v = props.view;
  const terms: [string, bigint][] = [
    ['Collecté (encaissements Urssaf et MSA)', v.collecteCents],
    ['Frais de l’opérateur', v.fraisCents],
    ['Versé aux établissements', v.verseCents],
    ['Reliquat versé', v.reliquatVerseCents],
    ['Reste au fonds (reporté)', v.resteCents],
    ...v.reste.map((p): [string, bigint] => [
      p.part === 'reliquat_verse' ? p.libelle : `dont ${p.libelle.charAt(0).toLowerCase()}${p.libelle.slice(1)}`,
      p.cents,
    ]),
    ['Écart : collecté − (frais + versé + reliquat versé + reste au fonds)', v.ecartCents],
  ];
  return (
    <OperatorFrame ctx={props.ctx} tab="rapprochement" title={`Rapprochement ${v.annee}`}>
      <p>{`Collecté = frais de l’opérateur + versé + reliquat versé + reste au fonds, au centime, calculé le ${formatDateTime(v.calculeLe)} sur ${plural(v.employeurs, 'SIRET employeur', 'SIRET employeurs')}, dont ${formatInteger(v.employeursFinances)} aux fonds reçus en entier.`}</p>
      {v.equilibre ? (
        <Alert type="success" title="Égalité vérifiée">
          L’égalité est vérifiée au centime, aucun écart.
        </Alert>
      ) : (
        <Alert type="error" title="Écart constaté">
          {`Écart de ${formatEuros(v.ecartCents)} ; ${plural(v.ecarts.length, 'écart listé', 'écarts listés')} ci-dessous.`}
        </Alert>
      )}
      <CsvLink href={`/operateur/rapprochement.csv?annee=${v.annee}`} label="Télécharger le rapprochement (CSV)" />
      <Table
        caption="Égalité de la campagne"
        columns={['Rubrique', 'Montant']}
        rows={terms}
        rowKey={([libelle]) => libelle}
        cells={([libelle, cents]) => [libelle, formatEuros(cents)]}
      />
      <Table
        caption="Écarts"
        columns={['Écart', 'SIRET', 'Ligne d’attribution', 'Montant']}
        rows={v.ecarts}
        empty="Aucun écart."
        rowKey={(_e, i) => i}
        cells={(e) => [
          e.libelle,
          e.siret ? formatSiret(e.siret) : '-',
          e.attributionId ? String(e.attributionId) : '-',
          formatEuros(e.cents),
        ]}
      />
      <OtherYears annee={v.annee} base="/operateur/rapprochement" />
    </OperatorFrame>
  );
}
