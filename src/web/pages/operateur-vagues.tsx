/**
 * « Vagues de versement » of the operator's space: the campaign's waves with their state and
 * « Préparer », and the preview of one wave with « Approuver », « Émettre », « Télécharger le fichier »
 * and « Annuler » as the agent's role and the wave's state allow.
 */
import { formatSiret } from '../../domain/identifiers.js';
import { formatJour } from '../../domain/jours.js';
import { MOTIFS_NON_VERSABLE, waveName } from '../../domain/versements.js';
import type { CalendarWave, Subtotal, TransferLine, WavePreview, WaveState } from '../../modules/versements/apercu.js';
import { capitalise, formatDateTime, formatEuros, formatInteger, plural } from '../../shared/format.js';
import type { Problem } from '../../shared/problem.js';
import { Alert, CsrfField } from '../components/form.js';
import { Table } from '../components/table.js';
import type { PageContext } from '../layout.js';
import { OperatorFrame, Pager } from './operateur.js';
import { CsvLink } from './operateur-reliquat.js';

const CRUMBS = [{ href: '/operateur/vagues', label: 'Vagues de versement' }];

/** « Vague n° 1 », or « Vague du reliquat » for the reliquat's wave (numero 0). */

const STATUTS: Record<WaveState['statut'], { label: string; badge: string }> = {
  preparee: { label: 'Préparée', badge: 'fr-badge--info' },
  approuvee: { label: 'Approuvée', badge: 'fr-badge--new' },
  emise: { label: 'Émise', badge: 'fr-badge--success' },
  annulee: { label: 'Annulée', badge: 'fr-badge--error' },
};

function StateBadge(props: { wave: WaveState | null }) {
  if (!props.wave) return <span className="fr-badge fr-badge--no-icon">À préparer</span>;
  const s = STATUTS[props.wave.statut];
  return <span className={`fr-badge ${s.badge}`}>{s.label}</span>;
}

function ActionButton(props: { ctx: PageContext; action: string; label: string; secondary?: boolean; fields?: Record<string, string> }) {
  return (
    <form method="post" action={props.action} className="inline-form">
      <CsrfField token={props.ctx.csrfToken} />
      {Object.entries(props.fields ?? {}).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <button className={`fr-btn${props.secondary ? ' fr-btn--secondary' : ''}`} type="submit">
        {props.label}
      </button>
    </form>
  );
}

export function WavesListPage(props: {
  ctx: PageContext;
  annee: number;
  vagues: CalendarWave[];
  notice?: string | undefined;
  message?: string;
}) {
  const gestionnaire = props.ctx.agent?.role === 'gestionnaire';
  return (
    <OperatorFrame ctx={props.ctx} tab="vagues" title={`Vagues de versement ${props.annee}`} notice={props.notice}>
      <p>
        Une vague est préparée par un gestionnaire à partir de sa date, approuvée par un valideur qui ne l’a pas préparée, puis émise : le
        fichier de virements SEPA est alors écrit et son empreinte SHA-256 enregistrée.
      </p>
      {props.message ? <Alert type="error">{props.message}</Alert> : null}
      <Table
        className="fr-table--no-caption"
        caption={`Vagues de la campagne ${props.annee}`}
        columns={['Vague', 'Date', 'État', 'Virements', 'Montant', 'Actions']}
        rows={props.vagues}
        rowKey={(v) => v.numero}
        cells={(v) => [
          capitalise(waveName(v.numero)),
          formatJour(v.date),
          <StateBadge wave={v.wave} />,
          v.wave ? formatInteger(v.wave.nbVirements) : '-',
          v.wave ? formatEuros(v.wave.totalCents) : '-',
          <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm">
            {v.wave ? (
              <li>
                <a className="fr-btn fr-btn--tertiary" href={`/operateur/vagues/${v.wave.id}`}>
                  {`Voir la ${waveName(v.numero)}`}
                </a>
              </li>
            ) : null}
            {gestionnaire && v.numero > 0 && (!v.wave || v.wave.statut === 'preparee') ? (
              <li>
                <ActionButton
                  ctx={props.ctx}
                  action="/operateur/vagues/preparer"
                  label={v.wave ? `Préparer à nouveau la vague n° ${v.numero}` : `Préparer la vague n° ${v.numero}`}
                  fields={{ annee: String(props.annee), numero: String(v.numero) }}
                />
              </li>
            ) : null}
          </ul>,
        ]}
      />
      <p className="fr-text--sm">
        Autre campagne :{' '}
        {[props.annee - 1, props.annee + 1].map((a) => (
          <a key={a} className="fr-link fr-mr-2w" href={`/operateur/vagues?annee=${a}`}>
            {String(a)}
          </a>
        ))}
      </p>
    </OperatorFrame>
  );
}

function SubtotalTable(props: { caption: string; head: string; rows: Subtotal[] }) {
  return (
    <Table
      caption={props.caption}
      columns={[props.head, 'Virements', 'Montant']}
      rows={props.rows}
      rowKey={(r) => r.code}
      cells={(r) => [r.libelle, formatInteger(r.virements), formatEuros(r.cents)]}
    />
  );
}

function TransfersTable(props: { rows: TransferLine[] }) {
  return (
    <Table
      caption="Virements de la vague"
      columns={['N°', 'Bénéficiaire', 'SIRET', 'Montant', 'Libellé']}
      rows={props.rows}
      rowKey={(t) => t.numero}
      cells={(t) => [String(t.numero), t.beneficiaire, formatSiret(t.siret), formatEuros(t.cents), t.libelle]}
    />
  );
}

function WaveActions(props: { ctx: PageContext; wave: WaveState }) {
  const { wave, ctx } = props;
  const role = ctx.agent?.role;
  const base = `/operateur/vagues/${wave.id}`;
  return (
    <ul className="fr-btns-group fr-btns-group--inline-md">
      {role === 'valideur' && wave.statut === 'preparee' ? (
        <li>
          <ActionButton ctx={ctx} action={`${base}/approuver`} label="Approuver" />
        </li>
      ) : null}
      {role === 'valideur' && wave.statut === 'approuvee' ? (
        <li>
          <ActionButton ctx={ctx} action={`${base}/emettre`} label="Émettre" />
        </li>
      ) : null}
      {wave.statut === 'emise' && wave.fichierSha256 ? (
        <li>
          <a className="fr-btn" href={`${base}/fichier`}>
            Télécharger le fichier
          </a>
        </li>
      ) : null}
      {wave.statut === 'preparee' || wave.statut === 'approuvee' ? (
        <li>
          <ActionButton ctx={ctx} action={`${base}/annuler`} label="Annuler la vague" secondary />
        </li>
      ) : null}
    </ul>
  );
}

function WaveSummary(props: { wave: WaveState }) {
  const w = props.wave;
  return (
    <ul>
      <li>{`Date d’exécution demandée : ${formatJour(w.dateExecution)}`}</li>
      <li>{`Préparée le ${formatDateTime(w.prepareeLe)} par ${w.prepareeParNom ?? 'un agent'}`}</li>
      {w.approuveeParNom ? <li>{`Approuvée par ${w.approuveeParNom}`}</li> : null}
      {w.emiseLe ? <li>{`Émise le ${formatDateTime(w.emiseLe)}${w.emiseParNom ? ` par ${w.emiseParNom}` : ''}`}</li> : null}
      {w.fichierNom ? (
        <li>
          {`Fichier ${w.fichierNom}, empreinte SHA-256 : `}
          <code className="sha256">{w.fichierSha256}</code>
        </li>
      ) : null}
    </ul>
  );
}

export function WavePreviewPage(props: {
  ctx: PageContext;
  preview: WavePreview;
  transfers: { rows: TransferLine[]; total: number };
  page: number;
  pages: number;
  problem?: Problem | undefined;
  notice?: string | undefined;
}) {
  const { wave } = props.preview;
  const unpaid = props.preview.nonVersables;
  const unpaidLines = unpaid.reduce((s, u) => s + u.lignes, 0);
  const unpaidCents = unpaid.reduce((s, u) => s + u.cents, 0n);
  return (
    <OperatorFrame
      ctx={props.ctx}
      tab="vagues"
      title={`${capitalise(waveName(wave.numero))} de ${wave.annee}`}
      notice={props.notice}
      breadcrumb={CRUMBS}
    >
      {props.problem ? (
        <Alert type="error" title="Action refusée">
          {props.problem.message}
        </Alert>
      ) : null}
      <p>
        <StateBadge wave={wave} />
      </p>
      <WaveSummary wave={wave} />
      <WaveActions ctx={props.ctx} wave={wave} />
      <h2>Ce que la vague verse</h2>
      <p>{`${plural(wave.nbVirements, 'virement', 'virements')} pour ${formatEuros(wave.totalCents)}, payant ${plural(props.preview.lignesPayees, 'ligne d’attribution', 'lignes d’attribution')}. Non versables : ${plural(unpaidLines, 'ligne', 'lignes')} pour ${formatEuros(unpaidCents)}.`}</p>
      <SubtotalTable caption="Par région" head="Région" rows={props.preview.parRegion} />
      <SubtotalTable
        caption="Par catégorie d’établissement (article L. 6241-5 du code du travail)"
        head="Catégorie"
        rows={props.preview.parCategorie}
      />
      {unpaid.length ? (
        <Table
          caption="Parts non versables (article D. 6241-27-1)"
          columns={['Motif', 'Lignes', 'Montant']}
          rows={unpaid}
          rowKey={(u) => u.motif}
          cells={(u) => [MOTIFS_NON_VERSABLE[u.motif] ?? u.motif, formatInteger(u.lignes), formatEuros(u.cents)]}
        />
      ) : null}
      <h2>Virements</h2>
      <CsvLink href={`/operateur/vagues/${wave.id}/virements.csv`} label="Télécharger la liste des virements (CSV)" />
      <TransfersTable rows={props.transfers.rows} />
      <Pager page={props.page} pages={props.pages} base={`/operateur/vagues/${wave.id}`} />
    </OperatorFrame>
  );
}
