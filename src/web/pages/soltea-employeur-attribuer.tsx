/** « Attribuer » (from the fiche of an establishment): its targets, the ones already chosen, their percentages. */
import type { ReactNode } from 'react';
import { NATIONAL_LIST_CAP_BP } from '../../domain/referentiel.js';
import { formatSiret } from '../../domain/identifiers.js';
import { formatEuros, formatPercent } from '../../shared/format.js';
import type { FieldErrors } from '../../shared/fields.js';
import type { Synthese } from '../../modules/attributions/synthese.js';
import type { EstablishmentTargets } from '../../modules/attributions/targets.js';
import { CsrfField, ErrorAlert, ErrorSummary, Fieldset } from '../components/form.js';
import { ButtonsGroup } from '../components/buttons.js';
import type { PageContext } from '../layout.js';
import { attribuerUrl, EmployerFrame, employerUrl, type EmployerHeader } from './soltea-employeur-frame.js';
import { Calendrier, EnveloppeSummary } from './soltea-employeur-synthese.js';

export interface AttribuerProps {
  ctx: PageContext;
  head: EmployerHeader;
  s: Synthese;
  targets: EstablishmentTargets;
  /** typed values by field name (`pct_e12`, `pct_f34`) and the ticked boxes */
  values: Record<string, string>;
  checked: Set<string>;
  errors?: FieldErrors;
  alert?: string;
  /** the form's name of a target (the route's contract) */
  cibleOf: (t: { formationId?: number | null; etablissementId: number }) => string;
}

function TargetRow(props: {
  cible: string;
  label: ReactNode;
  name: string;
  hint?: string;
  value?: string;
  checked: boolean;
  error?: string;
  disabled: boolean;
}) {
  const { cible } = props;
  const id = `pct_${cible}`;
  return (
    <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--middle fr-mb-1w">
      <div className="fr-col-12 fr-col-md-8">
        <div className="fr-checkbox-group">
          <input
            type="checkbox"
            id={`cible-${cible}`}
            name="cible"
            value={cible}
            defaultChecked={props.checked}
            disabled={props.disabled}
            data-cible={cible}
          />
          <label className="fr-label" htmlFor={`cible-${cible}`}>
            {props.label}
            {props.hint ? <span className="fr-hint-text">{props.hint}</span> : null}
          </label>
        </div>
      </div>
      <div className="fr-col-12 fr-col-md-4">
        <div className={`fr-input-group fr-mb-0 ${props.error ? 'fr-input-group--error' : ''}`}>
          <label className="fr-label" htmlFor={id}>
            Pourcentage (%)<span className="fr-sr-only">{` pour ${props.name}`}</span>
          </label>
          <input
            className={`fr-input ${props.error ? 'fr-input--error' : ''}`}
            id={id}
            name={id}
            inputMode="decimal"
            defaultValue={props.value ?? ''}
            disabled={props.disabled}
            data-pct={cible}
            aria-describedby={props.error ? `${id}-messages` : undefined}
          />
          {props.error ? (
            <p className="fr-error-text" id={`${id}-messages`}>
              {props.error}
            </p>
          ) : null}
        </div>
      </div>
    </div>
  );
}

/** What every target row of the form shares: the typed values, the ticked boxes, the errors, whether the form is open. */
interface RowState {
  values: Record<string, string>;
  checked: Set<string>;
  errors: FieldErrors;
  /** the choices may be changed now */
  can: boolean;
}

/** The value, box, state and error of the row of `cible`. */
function rowStateOf(st: RowState, cible: string) {
  return {
    value: st.values[`pct_${cible}`] ?? '',
    checked: st.checked.has(cible),
    disabled: !st.can,
    error: st.errors[`pct_${cible}`],
  };
}

/** The refusal above the form: the general message with the links to the fields, or the summary of the fields. */
function AttribuerErrors(props: { alert?: string; errors: FieldErrors }) {
  const e = props.errors;
  if (!props.alert) return <ErrorSummary errors={e} message={Object.keys(e).length ? 'Vos choix n’ont pas été enregistrés' : undefined} />;
  return <ErrorAlert title="Vos choix n’ont pas été enregistrés" detail={props.alert} errors={e} />;
}

/** The establishment, the calendar, the credits left to allocate and the cap of the liste nationale. */
function AttribuerIntro(props: { s: Synthese; t: EstablishmentTargets }) {
  const { s, t } = props;
  return (
    <>
      <p>
        {`${t.etablissement.commune ?? ''}${t.etablissement.national ? ' · organisme de la liste nationale' : ''} · `}
        <a href={`/soltea/etablissements/${t.etablissement.siret}`}>Voir la fiche de l’établissement</a>
      </p>
      <Calendrier s={s} />
      {s.enveloppe ? (
        <p>
          {`Crédits à répartir : ${formatEuros(s.enveloppe.creditsCents)} · déjà attribué : ${formatPercent(s.totalBp)} · reste à attribuer : `}
          <strong>{formatPercent(s.resteBp)}</strong>
        </p>
      ) : (
        <EnveloppeSummary s={s} />
      )}
      {t.etablissement.national ? (
        <p className="fr-text--sm">{`Les organismes de la liste nationale reçoivent ensemble au plus ${formatPercent(NATIONAL_LIST_CAP_BP)} de votre solde (article L. 6241-5, 13° du code du travail) ; vous leur attribuez déjà ${formatPercent(s.nationalBp)}.`}</p>
      ) : null}
    </>
  );
}

/** The establishment itself and its composantes / établissements secondaires. */
function PlacesFieldset(props: { t: EstablishmentTargets; st: RowState; cibleOf: AttribuerProps['cibleOf'] }) {
  const { t } = props;
  return (
    <Fieldset
      legendId="places-legend"
      legend={t.places.length > 1 ? 'Attribuer à la composante / établissement secondaire' : 'Attribuer à l’établissement'}
      hint="Cochez et indiquez le pourcentage de vos crédits à répartir (deux décimales au plus)."
    >
      {t.places.map((p) => {
        const c = props.cibleOf({ etablissementId: p.id });
        return (
          <TargetRow
            key={c}
            cible={c}
            label={p.kind === 'etablissement' ? `${p.nom} (établissement)` : p.nom}
            name={p.nom}
            hint={[p.kind === 'composante' ? 'Composante / établissement secondaire' : null, p.commune, `SIRET ${formatSiret(p.siret)}`]
              .filter(Boolean)
              .join(' · ')}
            {...rowStateOf(props.st, c)}
          />
        );
      })}
    </Fieldset>
  );
}

/** The formations of the establishment and of its composantes, or why there is none. */
function FormationsFieldset(props: { t: EstablishmentTargets; st: RowState; cibleOf: AttribuerProps['cibleOf'] }) {
  const { formations } = props.t;
  if (!formations.length)
    return <p>Aucune formation n’est rattachée à cet établissement dans le référentiel : attribuez à l’établissement lui-même.</p>;
  return (
    <Fieldset
      legendId="formations-legend"
      legend="Attribuer à l’une / des formations de l’établissement"
      hint={`${formations.length} formation${formations.length > 1 ? 's' : ''} habilitée${formations.length > 1 ? 's' : ''}`}
    >
      {formations.map((f) => {
        const c = props.cibleOf({ etablissementId: f.etablissementId, formationId: f.id });
        return (
          <TargetRow
            key={c}
            cible={c}
            label={f.intitule}
            name={f.intitule}
            hint={[f.type, f.niveau ? `niveau ${f.niveau}` : null, f.composante, f.commune].filter(Boolean).join(' · ')}
            {...rowStateOf(props.st, c)}
          />
        );
      })}
    </Fieldset>
  );
}

/** « Enregistrer mes choix » and « Voir la synthèse », when the choices may be changed. */
function AttribuerButtons(props: { siret: string }) {
  return (
    <ButtonsGroup
      className="fr-btns-group--inline-md"
      buttons={[
        { label: 'Enregistrer mes choix', submit: true },
        { label: 'Voir la synthèse', href: employerUrl(props.siret), className: 'fr-btn fr-btn--secondary' },
      ]}
    />
  );
}

/** What the other establishments already receive (the live total adds this page's percentages). */
function otherEstablishmentsBp(s: Synthese, t: EstablishmentTargets): number {
  const here = new Set([...t.places.map((p) => `${p.id}:0`), ...t.formations.map((f) => `${f.etablissementId}:${f.id}`)]);
  return s.lines.filter((l) => !here.has(`${l.etablissementId}:${l.formationId ?? 0}`)).reduce((x, l) => x + l.pointsBase, 0);
}

export function AttribuerPage(props: AttribuerProps) {
  const { s, head, targets: t, cibleOf } = props;
  const e = props.errors ?? {};
  const can = s.modifiable.ok && s.groupe?.role !== 'membre' && s.enveloppe !== null;
  const st: RowState = { values: props.values, checked: props.checked, errors: e, can };
  return (
    <EmployerFrame
      ctx={props.ctx}
      head={head}
      tab="recherche"
      title={`Attribuer à ${t.etablissement.nom}`}
      crumbs={[{ href: employerUrl(head.siret, 'recherche'), label: 'Recherche établissement' }]}
    >
      <AttribuerErrors errors={e} alert={props.alert} />
      <AttribuerIntro s={s} t={t} />
      <form
        method="post"
        action={attribuerUrl(head.siret, t.etablissement.siret)}
        data-attribuer=""
        data-autres-bp={otherEstablishmentsBp(s, t)}
      >
        <CsrfField token={props.ctx.csrfToken} />
        <input type="hidden" name="version" value={s.version} />
        <PlacesFieldset t={t} st={st} cibleOf={cibleOf} />
        <FormationsFieldset t={t} st={st} cibleOf={cibleOf} />
        <p id="reste-live" className="fr-text--bold" role="status" aria-live="polite"></p>
        {can ? <AttribuerButtons siret={head.siret} /> : null}
      </form>
    </EmployerFrame>
  );
}
