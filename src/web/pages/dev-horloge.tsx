/** Development only: the demo clock page (src/dev/routes/horloge.tsx) and its parts. */
import type { FieldErrors } from '../../shared/fields.js';
import { Alert, CsrfField, ErrorSummary, Input, PlainSelect } from '../components/form.js';
import { ButtonsGroup } from '../components/buttons.js';
import { Table } from '../components/table.js';
import { Layout, type PageContext } from '../layout.js';

export interface DevHorlogeTarget {
  cible: string;
  label: string;
  /** « 26 mai 2025 » */
  jour: string;
  current: boolean;
}

export interface DevHorlogeProps {
  ctx: PageContext;
  /** « 26 mai 2025 à 09:00 » (Paris time) */
  maintenant: string;
  /** the same instant, ISO 8601, for machines */
  maintenantIso: string;
  /** value of the « date et heure » field: AAAA-MM-JJTHH:MM, Paris time */
  maintenantLocal: string;
  /** the clock can be moved (DEMO_NOW set) */
  deplacable: boolean;
  /** DEMO_NOW, formatted */
  initial: string | null;
  /** « 2 ans et 3 jours d’avance sur l’heure réelle » … */
  ecart: string | null;
  annee: number;
  /** 'arrêté' or 'opérateur' */
  origine: string;
  /** where the campaign stands, in French (describePhase) */
  phase: string;
  targets: DevHorlogeTarget[];
  /** the campaign years the page can show */
  annees: number[];
  notice?: string;
  errors?: FieldErrors;
  values?: Record<string, unknown>;
}

/** The application's instant, where it started, how far from real time. */
function Instant(props: DevHorlogeProps) {
  return (
    <div className="fr-callout fr-mb-4w">
      <h2 className="fr-callout__title">Instant de l’application</h2>
      <p className="fr-callout__text">
        <time dateTime={props.maintenantIso}>{props.maintenant}</time>
      </p>
      {props.initial ? <p className="fr-text--sm">Démarrée sur DEMO_NOW = {props.initial}.</p> : null}
      {props.ecart ? <p className="fr-text--sm">{props.ecart}</p> : null}
    </div>
  );
}

function YearChoice(props: { annee: number; annees: number[] }) {
  return (
    <form method="get" action="/dev/horloge" className="fr-mb-3w">
      <PlainSelect
        id="annee"
        name="annee"
        label="Campagne affichée"
        options={props.annees.map((a) => ({ value: String(a), label: String(a) }))}
        value={String(props.annee)}
      />
      <button className="fr-btn fr-btn--secondary fr-btn--sm" type="submit">
        Afficher
      </button>
    </form>
  );
}

function Phases(props: { annee: number; targets: DevHorlogeTarget[] }) {
  return (
    <Table
      bordered
      caption={<>Étapes de la campagne {props.annee}</>}
      columns={['Étape', 'À partir du (00 h 00, heure de Paris)', 'État']}
      rows={props.targets}
      row={(t) => (
        <tr key={t.cible}>
          <th scope="row">{t.label}</th>
          <td>{t.jour}</td>
          <td>{t.current ? <span className="fr-badge fr-badge--info fr-badge--no-icon">en cours</span> : null}</td>
        </tr>
      )}
    />
  );
}

function PhaseButtons(props: DevHorlogeProps) {
  return (
    <form method="post" action="/dev/horloge" className="fr-mb-4w">
      <CsrfField token={props.ctx.csrfToken} />
      <input type="hidden" name="annee" value={props.annee} />
      <fieldset className="fr-fieldset">
        <legend className="fr-fieldset__legend">Aller au début d’une étape de la campagne {props.annee}</legend>
        <ul className="fr-btns-group fr-btns-group--inline-md">
          {props.targets.map((t) => (
            <li key={t.cible}>
              <button
                className={`fr-btn ${t.current ? '' : 'fr-btn--secondary'}`}
                type="submit"
                name="cible"
                value={t.cible}
                aria-describedby={`cible-${t.cible}`}
              >
                {t.label}
              </button>
              <span className="fr-sr-only" id={`cible-${t.cible}`}>
                le {t.jour} à 00 h 00
              </span>
            </li>
          ))}
        </ul>
      </fieldset>
    </form>
  );
}

function InstantForm(props: DevHorlogeProps) {
  return (
    <form method="post" action="/dev/horloge" className="fr-mb-4w" noValidate>
      <CsrfField token={props.ctx.csrfToken} />
      <input type="hidden" name="annee" value={props.annee} />
      <fieldset className="fr-fieldset">
        <legend className="fr-fieldset__legend">Aller à un instant choisi</legend>
        <Input
          name="instant"
          label="Date et heure (heure de Paris)"
          type="datetime-local"
          hint="Format attendu : JJ/MM/AAAA HH:MM, par exemple le 2 juin 2025 à 09:00."
          value={props.values?.instant ?? props.maintenantLocal}
          error={props.errors?.instant}
          required
        />
        <button className="fr-btn" type="submit">
          Déplacer l’horloge
        </button>
      </fieldset>
    </form>
  );
}

function BackButtons(props: DevHorlogeProps) {
  return (
    <form method="post" action="/dev/horloge">
      <CsrfField token={props.ctx.csrfToken} />
      <input type="hidden" name="annee" value={props.annee} />
      <ButtonsGroup
        className="fr-btns-group--inline-md"
        buttons={[
          { label: 'Revenir à DEMO_NOW', submit: true, className: 'fr-btn fr-btn--tertiary', name: 'cible', value: 'demo-now' },
          { label: 'Revenir à l’heure réelle', submit: true, className: 'fr-btn fr-btn--tertiary', name: 'cible', value: 'heure-reelle' },
        ]}
      />
    </form>
  );
}

/** Development only: the demo clock, the phases of a campaign and buttons to move to each one. */
export function DevHorlogePage(props: DevHorlogeProps) {
  return (
    <Layout ctx={props.ctx} title="Horloge de démonstration">
      <h1>Horloge de démonstration</h1>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      <ErrorSummary errors={props.errors} />
      <p>
        Cette page n’existe qu’en développement. Elle déplace l’heure de l’application pour montrer chaque étape d’une campagne SOLTéA ; les
        dates sont à l’heure de Paris.
      </p>
      <Instant {...props} />
      {!props.deplacable ? (
        <Alert type="warning" title="L’horloge suit l’heure réelle">
          <p>
            Pour la déplacer, démarrez l’application avec la variable DEMO_NOW, par exemple{' '}
            <code>DEMO_NOW=2025-05-26T09:00:00+02:00 npm start</code>.
          </p>
        </Alert>
      ) : null}
      <h2>Campagne {props.annee}</h2>
      <p>
        Calendrier {props.origine}. {props.phase}
      </p>
      {props.annees.length > 1 ? <YearChoice annee={props.annee} annees={props.annees} /> : null}
      <Phases annee={props.annee} targets={props.targets} />
      {props.deplacable ? (
        <>
          <PhaseButtons {...props} />
          <InstantForm {...props} />
          <BackButtons {...props} />
        </>
      ) : null}
    </Layout>
  );
}
