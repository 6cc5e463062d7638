/**
 * The « Synthèse » of one employer SIRET (crédits à répartir, allocations with their percentage,
 * expected amount and status, the calendar, « Partage de coordonnées ») and the « Historique » of its
 * campaigns.
 */
import type { ReactNode } from 'react';
import { NATIONAL_LIST_CAP_BP } from '../../domain/referentiel.js';
import { describePhase } from '../../domain/campagne.js';
import { formatJour } from '../../domain/jours.js';
import { formatSiret } from '../../domain/identifiers.js';
import { formatDate, formatEuros, formatPercent } from '../../shared/format.js';
import type { FieldErrors } from '../../shared/fields.js';
import type { Synthese, SyntheseLine } from '../../modules/attributions/synthese.js';
import { Alert, CsrfField, PreferenceForm, type Preference } from '../components/form.js';
import type { PageContext } from '../layout.js';
import { EmployerFrame, employerUrl, type EmployerHeader } from './soltea-employeur-frame.js';
import { VerseLe } from './soltea-employeur-verse.js';
import { NonVersableMention, NonVersablesAlert } from './soltea-employeur-non-versables.js';

const euros = (c: bigint | null) => (c === null ? '—' : formatEuros(c));

export function Calendrier(props: { s: Synthese }) {
  const s = props.s;
  return (
    <>
      <p className="fr-mb-1w">{describePhase(s.campaign, s.phase)}</p>
      {s.modifiable.ok ? null : (
        <Alert type="info" title="Vos choix ne peuvent pas être modifiés maintenant">
          <p>{s.modifiable.message}</p>
          <p className="fr-text--xs fr-mb-0">{`Référence : ${s.modifiable.reference}`}</p>
        </Alert>
      )}
    </>
  );
}

export function EnveloppeSummary(props: { s: Synthese }) {
  const e = props.s.enveloppe;
  if (!e)
    return (
      <Alert type="warning" title="Aucun solde à répartir">
        <p>{`Aucun solde de taxe d’apprentissage n’a été transmis par l’Urssaf ou la MSA pour ce SIRET pour la campagne ${props.s.annee}. Si votre entreprise y est assujettie, vérifiez vos DSN (code 076 du bloc S21.G00.82).`}</p>
      </Alert>
    );
  return (
    <div className="fr-table fr-table--no-caption fr-mb-2w">
      <table>
        <caption>Vos crédits à répartir</caption>
        <tbody>
          <tr>
            <th scope="row">{`Solde de la taxe d’apprentissage déclaré (${e.collecteur === 'MSA' ? 'MSA' : 'Urssaf'}, code 076)`}</th>
            <td className="fr-cell--right">{formatEuros(e.soldeCents)}</td>
          </tr>
          {e.deductionsCents ? (
            <tr>
              <th scope="row">Déductions (codes 077 et 078)</th>
              <td className="fr-cell--right">{`− ${formatEuros(e.deductionsCents)}`}</td>
            </tr>
          ) : null}
          <tr>
            <th scope="row">Frais de gestion (collecteur et opérateur)</th>
            <td className="fr-cell--right">{`− ${formatEuros(e.fraisCents)}`}</td>
          </tr>
          {e.reportCents ? (
            <tr>
              <th scope="row">
                {e.reportCents > 0n
                  ? 'Report sur la campagne suivante (correction de DSN)'
                  : 'Report de la campagne précédente (correction de DSN)'}
              </th>
              <td className="fr-cell--right">
                {e.reportCents > 0n ? `− ${formatEuros(e.reportCents)}` : `+ ${formatEuros(-e.reportCents)}`}
              </td>
            </tr>
          ) : null}
          <tr>
            <th scope="row">
              <strong>Crédits à répartir</strong>
            </th>
            <td className="fr-cell--right">
              <strong>{formatEuros(e.creditsCents)}</strong>
            </td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}

const STATUTS: Record<SyntheseLine['statut'], ReactNode> = {
  validee: <span className="fr-badge fr-badge--success fr-badge--sm">Validée</span>,
  enregistree: <span className="fr-badge fr-badge--warning fr-badge--sm">À enregistrer</span>,
};

/** A line's name: the beneficiary (link to its fiche) and the formation. */
function LineName(props: { l: SyntheseLine }) {
  const t = props.l.target;
  if (!t) return <>Établissement retiré du référentiel</>;
  const place = t.kind === 'formation' ? t.libelle.split(' — ')[0]! : t.libelle;
  return (
    <>
      <a href={`/soltea/etablissements/${t.etablissementSiret}`}>{place}</a>
      {t.kind === 'composante' ? <span className="fr-hint-text">{`Composante de ${t.etablissementNom}`}</span> : null}
      {t.commune ? <span className="fr-hint-text">{t.commune}</span> : null}
      {t.national ? <span className="fr-badge fr-badge--sm fr-badge--purple-glycine fr-mt-1v">Liste nationale</span> : null}
    </>
  );
}

const formationOf = (l: SyntheseLine) => (l.target?.kind === 'formation' ? l.target.libelle.split(' — ').slice(1).join(' — ') : '—');

export interface SyntheseProps {
  ctx: PageContext;
  head: EmployerHeader;
  s: Synthese;
  notice?: string;
  /** the line being modified (« Modifier »), with what was typed and its error */
  modifier?: { id: number; value: string; error?: string };
  errors?: FieldErrors;
  /** a message above everything (stale form, rule broken) */
  alert?: { type: 'error' | 'warning'; title: string; messages: string[] };
}

/** The refusal of the last change, above everything (stale form, rule broken). */
function ChangeAlert(props: { alert: NonNullable<SyntheseProps['alert']> }) {
  return (
    <div className={`fr-alert fr-alert--${props.alert.type} fr-mb-3w`} role="alert" id="erreurs">
      <h2 className="fr-alert__title">{props.alert.title}</h2>
      {props.alert.messages.length === 1 ? (
        <p>{props.alert.messages[0]}</p>
      ) : (
        <ul>
          {props.alert.messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The SIRET's group: reference (its choices apply to the members) or member (they are the reference's). */
function GroupeAlert(props: { groupe: NonNullable<Synthese['groupe']> }) {
  const g = props.groupe;
  return (
    <Alert type="info" title={`Groupe « ${g.nom} »`}>
      {g.role === 'reference' ? (
        <p>{`Ce SIRET est le SIRET de référence du groupe : ses choix s’appliquent aussi à ${g.membres.length > 1 ? `ses ${g.membres.length} autres SIRET` : 'son autre SIRET'} (${g.membres.map(formatSiret).join(', ')}), chacun sur ses propres crédits.`}</p>
      ) : (
        <p>
          {`Ce SIRET fait partie du groupe : ses attributions sont celles du SIRET de référence ${formatSiret(g.reference)}. `}
          <a href={employerUrl(g.reference)}>Ouvrir la synthèse du SIRET de référence</a>
        </p>
      )}
    </Alert>
  );
}

/** « Modifier »: the line's percentage as a field, with what remains to allocate. */
function ModifierForm(props: {
  ctx: PageContext;
  head: EmployerHeader;
  s: Synthese;
  l: SyntheseLine;
  name: string;
  editing: NonNullable<SyntheseProps['modifier']>;
}) {
  const { ctx, head, s, l, name, editing } = props;
  return (
    <form method="post" action={`/soltea/employeur/${head.siret}/attributions/${l.id}`} id={`modifier-${l.id}`}>
      <CsrfField token={ctx.csrfToken} />
      <input type="hidden" name="version" value={s.version} />
      <div className={`fr-input-group ${editing.error ? 'fr-input-group--error' : ''}`}>
        <label className="fr-label" htmlFor="pourcentage">
          {`Pourcentage attribué à ${name}`}
          <span className="fr-hint-text">{`En %, deux décimales au plus ; reste à attribuer : ${formatPercent(s.resteBp + l.pointsBase)}`}</span>
        </label>
        <input
          className={`fr-input ${editing.error ? 'fr-input--error' : ''}`}
          id="pourcentage"
          name="pourcentage"
          inputMode="decimal"
          defaultValue={editing.value}
          aria-describedby={editing.error ? 'pourcentage-messages' : undefined}
          autoFocus
        />
        {editing.error ? (
          <p className="fr-error-text" id="pourcentage-messages">
            {editing.error}
          </p>
        ) : null}
      </div>
    </form>
  );
}

/** One line of the Synthèse: its name, formation, percentage (its field when « Modifier »), amount, status and actions. */
function SyntheseRow(props: {
  ctx: PageContext;
  head: EmployerHeader;
  s: Synthese;
  l: SyntheseLine;
  can: boolean;
  editing: SyntheseProps['modifier'];
}) {
  const { ctx, head, s, l, can, editing } = props;
  const name = l.target?.libelle ?? 'cette attribution';
  const isEditing = editing?.id === l.id;
  return (
    <tr key={l.id} id={`ligne-${l.id}`}>
      <td>
        <LineName l={l} />
      </td>
      <td>{formationOf(l)}</td>
      <td className="fr-cell--right">
        {isEditing ? <ModifierForm ctx={ctx} head={head} s={s} l={l} name={name} editing={editing} /> : formatPercent(l.pointsBase)}
      </td>
      <td className="fr-cell--right">{euros(l.montantCents)}</td>
      <td>
        {STATUTS[l.statut]}
        <VerseLe l={l} />
        <NonVersableMention head={head} s={s} l={l} />
      </td>
      <td>
        {!can ? (
          '—'
        ) : isEditing ? (
          <ul className="fr-btns-group fr-btns-group--sm">
            <li>
              <button className="fr-btn" type="submit" form={`modifier-${l.id}`}>
                Valider mon attribution
              </button>
            </li>
            <li>
              <a className="fr-btn fr-btn--tertiary" href={`${employerUrl(head.siret)}#ligne-${l.id}`}>
                Annuler
              </a>
            </li>
          </ul>
        ) : (
          <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--sm">
            <li>
              <a
                className="fr-btn fr-btn--secondary fr-icon-edit-line"
                title={`Modifier ${name}`}
                href={`${employerUrl(head.siret)}?modifier=${l.id}`}
              >
                Modifier<span className="fr-sr-only">{` ${name}`}</span>
              </a>
            </li>
            <li>
              <form method="post" action={`/soltea/employeur/${head.siret}/attributions/${l.id}/supprimer`}>
                <CsrfField token={ctx.csrfToken} />
                <input type="hidden" name="version" value={s.version} />
                <button className="fr-btn fr-btn--tertiary fr-icon-delete-line" type="submit" title={`Supprimer ${name}`}>
                  Supprimer<span className="fr-sr-only">{` ${name}`}</span>
                </button>
              </form>
            </li>
          </ul>
        )}
      </td>
    </tr>
  );
}

/** The table of the allocations, with the total and what remains to allocate. */
function SyntheseTable(props: { ctx: PageContext; head: EmployerHeader; s: Synthese; can: boolean; editing: SyntheseProps['modifier'] }) {
  const { s } = props;
  return (
    <div className="fr-table fr-table--bordered">
      <table id="synthese">
        <caption>{`Synthèse de vos attributions, campagne ${s.annee}`}</caption>
        <LinesHead actions />
        <tbody>
          {s.lines.map((l) => (
            <SyntheseRow key={l.id} ctx={props.ctx} head={props.head} s={s} l={l} can={props.can} editing={props.editing} />
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              Total attribué
            </th>
            <td className="fr-cell--right">
              <strong>{formatPercent(s.totalBp)}</strong>
            </td>
            <td className="fr-cell--right">
              <strong>{euros(s.enveloppe ? s.attribueCents : null)}</strong>
            </td>
            <td colSpan={2}></td>
          </tr>
          <tr>
            <th scope="row" colSpan={2}>
              Reste à attribuer
            </th>
            <td className="fr-cell--right">{formatPercent(s.resteBp)}</td>
            <td className="fr-cell--right">{euros(s.nonAttribueCents)}</td>
            <td colSpan={2}></td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

/** « Enregistrer vos attributions », « Rechercher un établissement », « Répliquer les fléchages ». */
function SyntheseButtons(props: { ctx: PageContext; head: EmployerHeader; s: Synthese }) {
  const { s, head } = props;
  return (
    <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left fr-mt-2w">
      {s.lines.length ? (
        <li>
          <form method="post" action={`/soltea/employeur/${head.siret}/enregistrer`}>
            <CsrfField token={props.ctx.csrfToken} />
            <input type="hidden" name="version" value={s.version} />
            <button className="fr-btn fr-icon-save-line fr-btn--icon-left" type="submit" disabled={s.aValider === 0}>
              Enregistrer vos attributions
            </button>
          </form>
        </li>
      ) : null}
      <li>
        <a className="fr-btn fr-btn--secondary fr-icon-search-line fr-btn--icon-left" href={employerUrl(head.siret, 'recherche')}>
          Rechercher un établissement
        </a>
      </li>
      <li>
        <form method="post" action={`/soltea/employeur/${head.siret}/repliquer`}>
          <CsrfField token={props.ctx.csrfToken} />
          <input type="hidden" name="version" value={s.version} />
          <button className="fr-btn fr-btn--secondary fr-icon-refresh-line fr-btn--icon-left" type="submit">
            Répliquer les fléchages
          </button>
        </form>
      </li>
    </ul>
  );
}

export function SynthesePage(props: SyntheseProps) {
  const { s, head } = props;
  const can = s.modifiable.ok && s.groupe?.role !== 'membre' && s.enveloppe !== null;
  const editing = props.modifier;
  return (
    <EmployerFrame ctx={props.ctx} head={head} tab="synthese" title="Synthèse" {...(props.notice ? { notice: props.notice } : {})}>
      {props.alert ? <ChangeAlert alert={props.alert} /> : null}
      <Calendrier s={s} />
      {s.groupe ? <GroupeAlert groupe={s.groupe} /> : null}
      <NonVersablesAlert s={s} />
      <EnveloppeSummary s={s} />
      {s.aValider > 0 && can ? (
        <Alert type="warning" title="Attributions non enregistrées">
          <p>
            {`${s.aValider > 1 ? `${s.aValider} attributions ne sont pas encore enregistrées` : 'Une attribution n’est pas encore enregistrée'} : cliquez sur « Enregistrer vos attributions » avant de quitter. Seules les attributions enregistrées sont versées aux établissements.`}
          </p>
        </Alert>
      ) : null}
      <h2>Vos attributions</h2>
      {s.lines.length === 0 ? (
        <p>
          {'Vous n’avez encore choisi aucun établissement. '}
          <a href={employerUrl(head.siret, 'recherche')}>Rechercher un établissement</a>
          {' ou, si vous aviez réparti votre solde l’an dernier, répliquez vos fléchages.'}
        </p>
      ) : (
        <SyntheseTable ctx={props.ctx} head={head} s={s} can={can} editing={editing} />
      )}
      {s.lines.length ? (
        <p className="fr-text--sm">
          {`Liste nationale : ${formatPercent(s.nationalBp)} attribués (${formatPercent(NATIONAL_LIST_CAP_BP)} au plus, article L. 6241-5, 13° du code du travail). Les montants attendus sont calculés au centime, par la méthode du plus fort reste : leur total ne dépasse jamais vos crédits. Ce qui n’est pas attribué à la clôture est réparti selon l’article R. 6241-28 du code du travail.`}
        </p>
      ) : null}
      {can ? <SyntheseButtons ctx={props.ctx} head={head} s={s} /> : null}
      {s.lines.length ? (
        <p>
          <a className="fr-link fr-icon-download-line fr-link--icon-right" href={`/soltea/employeur/${head.siret}/synthese.csv`} download>
            Télécharger la synthèse (CSV)
          </a>
          <br />
          <a className="fr-link fr-icon-printer-line fr-link--icon-right" href={`/soltea/employeur/${head.siret}/recapitulatif`}>
            Récapitulatif imprimable
          </a>
        </p>
      ) : null}
      {s.enveloppe ? <PartageForm ctx={props.ctx} siret={head.siret} partage={s.enveloppe.partage} /> : null}
    </EmployerFrame>
  );
}

const PARTAGE: Preference = {
  name: 'partage',
  legend: 'Partage de coordonnées',
  choice: {
    value: 'oui',
    label: 'J’accepte que les établissements que j’ai choisis voient le nom et le SIRET de mon entreprise',
    hint: 'Sans votre accord, ils voient le pourcentage et le montant attribués, mais pas qui les leur attribue. Vous pouvez changer d’avis à tout moment.',
  },
  submit: { label: 'Enregistrer ce choix', className: 'fr-btn fr-btn--tertiary' },
};

function PartageForm(props: { ctx: PageContext; siret: string; partage: boolean }) {
  return (
    <PreferenceForm
      action={`/soltea/employeur/${props.siret}/partage`}
      className="fr-mt-4w"
      csrfToken={props.ctx.csrfToken}
      preference={PARTAGE}
      checked={props.partage}
    />
  );
}

// ── « Historique » ─────────────────────────────────────────────────────────────────────────────

export function HistoriquePage(props: { ctx: PageContext; head: EmployerHeader; campagnes: Synthese[] }) {
  return (
    <EmployerFrame ctx={props.ctx} head={props.head} tab="historique" title="Historique">
      {props.campagnes.length === 0 ? <p>Aucune campagne n’est encore enregistrée pour ce SIRET.</p> : null}
      {props.campagnes.map((s) => (
        <section key={s.annee} className="fr-mb-4w" aria-labelledby={`campagne-${s.annee}`}>
          <h2 id={`campagne-${s.annee}`}>{`Campagne ${s.annee}`}</h2>
          <p>
            {`Crédits à répartir : ${s.enveloppe ? formatEuros(s.enveloppe.creditsCents) : 'aucun solde transmis'} · attribué : ${formatPercent(s.totalBp)}${s.enveloppe ? ` (${formatEuros(s.attribueCents)})` : ''}${s.validationTotalePeriode ? ` · totalité validée en période ${s.validationTotalePeriode}` : ''}`}
          </p>
          {s.lines.length ? <CampagneTable s={s} /> : <p>Aucune attribution pour cette campagne.</p>}
          <p className="fr-text--sm">
            {`Versements : ${s.campaign.vagues.map((v) => `vague ${v.numero} à partir du ${formatJour(v.date)} (attributions validées en période ${v.periodeNumero})`).join(' ; ')}. Fonds non attribués répartis à partir du ${formatJour(s.campaign.reliquat)}.`}
          </p>
          <p>
            <a
              className="fr-link fr-icon-download-line fr-link--icon-right"
              href={`/soltea/employeur/${props.head.siret}/synthese.csv?annee=${s.annee}`}
              download
            >
              {`Télécharger la campagne ${s.annee} (CSV)`}
            </a>
          </p>
        </section>
      ))}
    </EmployerFrame>
  );
}

/** The header of an employer's allocation lines (the Synthèse adds the actions column). */
/** The allocations of one campaign, read only (the « Historique » and the printable récapitulatif). */
export function CampagneTable(props: { s: Synthese }) {
  const s = props.s;
  return (
    <div className="fr-table">
      <table>
        <caption>{`Attributions de la campagne ${s.annee}`}</caption>
        <LinesHead />
        <tbody>
          {s.lines.map((l) => (
            <tr key={l.id}>
              <td>
                <LineName l={l} />
              </td>
              <td>{formationOf(l)}</td>
              <td className="fr-cell--right">{formatPercent(l.pointsBase)}</td>
              <td className="fr-cell--right">{euros(l.montantCents)}</td>
              <td>
                {STATUTS[l.statut]}
                {l.valideeLe ? <span className="fr-hint-text">{`le ${formatDate(l.valideeLe)}`}</span> : null}
                <VerseLe l={l} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LinesHead(props: { actions?: boolean }) {
  return (
    <thead>
      <tr>
        <th scope="col">Établissement</th>
        <th scope="col">Formation</th>
        <th scope="col" className="fr-cell--right">
          Pourcentage
        </th>
        <th scope="col" className="fr-cell--right">
          Montant attendu
        </th>
        <th scope="col">Statut</th>
        {props.actions ? <th scope="col">Actions</th> : null}
      </tr>
    </thead>
  );
}
