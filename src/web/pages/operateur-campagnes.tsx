/**
 * « Campagnes » of the operator's space: the calendars by year, one calendar as a timeline (an SVG drawn
 * on the server, with its text equivalent: the events in date order) and today's phase, and the form
 * that creates or edits a calendar (gestionnaire only; the checks of `campagne-modifier`).
 */
import type { Timeline } from '../../modules/campagnes/frise.js';
import type { CampaignDetail, CampaignSummary } from '../../modules/operateur/campagnes.js';
import { formatJour } from '../../domain/jours.js';
import { formatDateTime, plural } from '../../shared/format.js';
import { Alert, ErrorSummary, Input } from '../components/form.js';
import { Table } from '../components/table.js';
import type { PageContext } from '../layout.js';
import { OperatorFrame, type OperatorFeedback } from './operateur.js';

const origin = (s: CampaignSummary) =>
  s.origine === 'arrete'
    ? 'Calendrier de l’arrêté (non modifié)'
    : `Enregistré le ${formatDateTime(s.updatedAt!)}${s.updatedByName ? ` par ${s.updatedByName}` : ' (ligne de commande)'}`;

export function OperatorCampaignsPage(
  props: {
    ctx: PageContext;
    rows: CampaignSummary[];
    canEdit: boolean;
  } & OperatorFeedback,
) {
  return (
    <OperatorFrame ctx={props.ctx} tab="campagnes" title="Campagnes" notice={props.notice}>
      <p>
        Le calendrier de chaque campagne : ouvertures, périodes de répartition, virements, fin des re-désignations et répartition des fonds
        non affectés.
      </p>
      <ErrorSummary errors={props.errors} message={props.message} />
      <Table
        caption="Les campagnes et leur phase aujourd’hui"
        columns={['Campagne', 'Périodes de répartition', 'Phase aujourd’hui', 'Origine du calendrier']}
        rows={props.rows}
        row={(s) => (
          <tr key={s.campaign.annee}>
            <td>
              <a href={`/operateur/campagnes/${s.campaign.annee}`}>{`Campagne ${s.campaign.annee}`}</a>
            </td>
            <td>{s.campaign.periodes.map((p) => `${p.numero} : du ${formatJour(p.debut)} au ${formatJour(p.fin)}`).join(' ; ')}</td>
            <td>{s.phase}</td>
            <td>{origin(s)}</td>
          </tr>
        )}
      />
      {props.canEdit ? (
        <form method="get" action="/operateur/campagnes/nouvelle" className="fr-mt-4w" noValidate>
          <h2 className="fr-h4">Créer le calendrier d’une campagne</h2>
          <Input
            name="annee"
            label="Année de la campagne"
            hint="Le formulaire est prérempli avec le calendrier de la campagne précédente, décalé d’un an."
            inputMode="numeric"
            maxLength={4}
            error={props.errors?.annee}
          />
          <button className="fr-btn" type="submit">
            Créer le calendrier
          </button>
        </form>
      ) : (
        <Alert type="info">Seul un agent gestionnaire peut créer ou modifier un calendrier.</Alert>
      )}
    </OperatorFrame>
  );
}

const W = 900;
const LEFT = 20;
const INNER = W - 2 * LEFT;
const px = (x: number) => LEFT + x * INNER;

const MARK_COLOURS = { ouverture: '#000091', vague: '#18753c', redesignation: '#b34000', reliquat: '#6e445a' } as const;

/** The timeline drawn on the server; its text equivalent is the list of events beside it. */
export function CampaignTimeline(props: { t: Timeline }) {
  const t = props.t;
  const titleId = `frise-${t.annee}-titre`;
  const descId = `frise-${t.annee}-desc`;
  return (
    <svg viewBox={`0 0 ${W} 150`} width="100%" role="img" aria-labelledby={`${titleId} ${descId}`} className="frise-campagne">
      <title id={titleId}>{`Frise du calendrier de la campagne ${t.annee}`}</title>
      <desc
        id={descId}
      >{`Du ${formatJour(t.debut)} au ${formatJour(t.fin)} : ${plural(t.periodes.length, 'période', 'périodes')} de répartition, ${plural(
        t.jalons.filter((j) => j.kind === 'vague').length,
        'virement',
        'virements',
      )}. ${t.aujourdhui ? `Aujourd’hui, ${formatJour(t.aujourdhui.jour)} : ` : ''}${t.phase} Le détail suit la frise, dans l’ordre des dates.`}</desc>
      <line x1={px(0)} x2={px(1)} y1={30} y2={30} stroke="#929292" />
      {t.mois.map((m) => (
        <g key={m.jour}>
          <line x1={px(m.x)} x2={px(m.x)} y1={26} y2={34} stroke="#929292" />
          <text x={px(m.x) + 3} y={20} fontSize="12" fill="#3a3a3a">
            {m.libelle}
          </text>
        </g>
      ))}
      {t.periodes.map((p) => (
        <g key={p.numero}>
          <rect x={px(p.x0)} y={45} width={Math.max(2, px(p.x1) - px(p.x0))} height={28} fill={p.courante ? '#000091' : '#6a6af4'} rx={2} />
          <text x={px(p.x0) + 4} y={64} fontSize="13" fill="#ffffff" fontWeight="bold">
            {`P${p.numero}`}
          </text>
        </g>
      ))}
      {t.jalons.map((j, i) => (
        <g key={`${j.kind}-${i}`}>
          <line x1={px(j.x)} x2={px(j.x)} y1={80} y2={100} stroke={MARK_COLOURS[j.kind]} strokeWidth={2} />
          <circle cx={px(j.x)} cy={104} r={5} fill={MARK_COLOURS[j.kind]} />
        </g>
      ))}
      {t.aujourdhui ? (
        <g>
          <line x1={px(t.aujourdhui.x)} x2={px(t.aujourdhui.x)} y1={38} y2={125} stroke="#ce0500" strokeWidth={2} strokeDasharray="4 3" />
          <text x={Math.min(px(t.aujourdhui.x) + 4, W - 90)} y={142} fontSize="12" fill="#ce0500" fontWeight="bold">
            Aujourd’hui
          </text>
        </g>
      ) : null}
    </svg>
  );
}

function Legend() {
  const items: [string, string][] = [
    ['periode', 'période de répartition (P1, P2…), la période en cours en bleu foncé'],
    ['ouverture', 'ouvertures'],
    ['vague', 'virements'],
    ['redesignation', 'fin des re-désignations'],
    ['reliquat', 'fonds non affectés'],
    ['aujourdhui', 'aujourd’hui'],
  ];
  return (
    <ul className="fr-text--sm frise-legende" aria-label="Légende de la frise">
      {items.map(([k, l]) => (
        <li key={k}>
          <span aria-hidden="true" className={`frise-pastille frise-pastille--${k}`} />
          {l}
        </li>
      ))}
    </ul>
  );
}

export function OperatorCampaignPage(props: { ctx: PageContext; detail: CampaignDetail; canEdit: boolean; notice?: string | undefined }) {
  const d = props.detail;
  const c = d.campaign;
  return (
    <OperatorFrame
      ctx={props.ctx}
      tab="campagnes"
      title={`Campagne ${c.annee}`}
      notice={props.notice}
      breadcrumb={[{ href: '/operateur/campagnes', label: 'Campagnes' }]}
    >
      <div className="fr-callout fr-mb-3w">
        <h2 className="fr-callout__title fr-h5">Aujourd’hui</h2>
        <p className="fr-callout__text" id="phase-du-jour">
          {d.phase}
        </p>
      </div>
      <p className="fr-text--sm">{`${origin(d)}${c.source ? ` · Source : ${c.source}` : ''}`}</p>
      <CampaignTimeline t={d.timeline} />
      <Legend />
      <h2 className="fr-h4">Le calendrier, dans l’ordre</h2>
      <ol id="calendrier-texte">
        {d.timeline.evenements.map((e, i) => (
          <li key={i}>{e.texte}</li>
        ))}
      </ol>
      {props.canEdit ? (
        <p>
          <a className="fr-btn" href={`/operateur/campagnes/${c.annee}/modifier`}>
            Modifier le calendrier
          </a>
        </p>
      ) : (
        <Alert type="info">Seul un agent gestionnaire peut modifier ce calendrier.</Alert>
      )}
    </OperatorFrame>
  );
}
