/**
 * The form of a campaign's calendar (gestionnaire): openings, any number of periods and waves (« Ajouter
 * une période » re-displays the form with one more row, without JavaScript; a row left blank is removed),
 * the re-designation deadline, the reliquat's date and regional part, the arrêté. Refusals come back on
 * their fields, with the calendar unchanged.
 */
import type { ReactNode } from 'react';
import type { CampaignFormValues } from '../../modules/campagnes/formulaire.js';
import type { FieldErrors } from '../../shared/fields.js';
import { Alert, CsrfField, ErrorSummary, Fieldset, Input, Inputs, Select, type InputSpec } from '../components/form.js';
import type { PageContext } from '../layout.js';
import { OperatorFrame } from './operateur.js';

const DAY_HINT = 'Format JJ/MM/AAAA.';

/** A fieldset of rows (periods or waves): its legend and hint, its own error, one row of two fields each, the add button. */
function RowsFieldset(props: {
  name: 'periodes' | 'vagues';
  legend: string;
  hint: string;
  error: string | undefined;
  add: { value: string; label: string };
  rows: readonly [ReactNode, ReactNode][];
}) {
  return (
    <fieldset className="fr-fieldset" aria-labelledby={`${props.name}-legende`}>
      <legend className="fr-fieldset__legend" id={`${props.name}-legende`}>
        {props.legend}
        <span className="fr-hint-text">{props.hint}</span>
      </legend>
      {props.error ? (
        <p className="fr-error-text fr-mb-2w" id={props.name}>
          {props.error}
        </p>
      ) : null}
      {props.rows.map(([left, right], i) => (
        <div className="fr-fieldset__element fr-grid-row fr-grid-row--gutters" key={i}>
          <div className="fr-col-12 fr-col-md-6">{left}</div>
          <div className="fr-col-12 fr-col-md-6">{right}</div>
        </div>
      ))}
      <button
        className="fr-btn fr-btn--secondary fr-btn--sm fr-btn--icon-left fr-icon-add-line fr-mt-2w fr-mb-3w"
        type="submit"
        name="action"
        value={props.add.value}
      >
        {props.add.label}
      </button>
    </fieldset>
  );
}

function Periods(props: { values: CampaignFormValues; errors: FieldErrors }) {
  const day = (i: number, end: 'debut' | 'fin', label: string, value: string) => (
    <Input
      type="date"
      name={`periodes.${i}.${end}`}
      label={label}
      hint={DAY_HINT}
      value={value}
      error={props.errors[`periodes.${i}.${end}`]}
    />
  );
  return (
    <RowsFieldset
      name="periodes"
      legend="Périodes de répartition"
      hint="Au moins deux mois au total (article D. 6241-27 du code du travail). Videz les deux dates d’une période pour la retirer."
      error={props.errors.periodes}
      add={{ value: 'ajouter-periode', label: 'Ajouter une période' }}
      rows={props.values.periodes.map((p, i) => [
        day(i, 'debut', `Période ${i + 1} : premier jour`, p.debut),
        day(i, 'fin', `Période ${i + 1} : dernier jour (inclus)`, p.fin),
      ])}
    />
  );
}

function Waves(props: { values: CampaignFormValues; errors: FieldErrors }) {
  const count = Math.max(1, props.values.periodes.length);
  const options = Array.from({ length: count }, (_, i) => ({ value: String(i + 1), label: `Période ${i + 1}` }));
  return (
    <RowsFieldset
      name="vagues"
      legend="Virements (vagues de versement)"
      hint="Chaque virement verse les attributions d’une période, après son dernier jour. Videz la date d’un virement pour le retirer."
      error={props.errors.vagues}
      add={{ value: 'ajouter-vague', label: 'Ajouter un virement' }}
      rows={props.values.vagues.map((v, i) => [
        <Input
          key="date"
          type="date"
          name={`vagues.${i}.date`}
          label={`Virement ${i + 1} : à partir du`}
          hint={DAY_HINT}
          value={v.date}
          error={props.errors[`vagues.${i}.date`]}
        />,
        <Select
          key="periode"
          name={`vagues.${i}.periode`}
          label={`Virement ${i + 1} : période versée`}
          options={options}
          value={v.periode || String(Math.min(i + 1, count))}
          error={props.errors[`vagues.${i}.periode`]}
        />,
      ])}
    />
  );
}

/** When establishments, then employers, may connect. */
const OPENING_FIELDS: readonly InputSpec[] = [
  { type: 'date', name: 'etablissementsOuverture', label: 'Ouverture aux établissements', hint: DAY_HINT },
  { type: 'date', name: 'employeursOuverture', label: 'Ouverture aux employeurs', hint: DAY_HINT },
];

/** The re-designation deadline, the reliquat’s date and regional part, the arrêté. */
const END_FIELDS: readonly InputSpec[] = [
  {
    type: 'date',
    name: 'redesignationFin',
    label: 'Fin des re-désignations (facultatif)',
    hint: 'Dernier jour pour désigner un autre établissement ; par défaut la veille de la répartition des fonds non affectés.',
  },
  { type: 'date', name: 'reliquat', label: 'Répartition des fonds non affectés : à partir du', hint: DAY_HINT },
  {
    name: 'reliquatPartRegionale',
    label: 'Part régionale des fonds non affectés, en % (facultatif)',
    hint: 'Entre 20 et 80 (article R. 6241-28 du code du travail) ; 40 par défaut.',
    inputMode: 'numeric',
    maxLength: 6,
  },
  { name: 'source', label: 'Source (arrêté)', maxLength: 500 },
];

export function OperatorCampaignFormPage(props: {
  ctx: PageContext;
  annee: number;
  values: CampaignFormValues;
  /** the year has a calendar (saved or the arrêté's); else the form starts from `from`'s, moved */
  exists: boolean;
  from?: number | undefined;
  errors?: FieldErrors;
  message?: string;
}) {
  const errors = props.errors ?? {};
  const v = props.values;
  const title = props.exists ? `Modifier le calendrier ${props.annee}` : `Créer le calendrier ${props.annee}`;
  return (
    <OperatorFrame
      ctx={props.ctx}
      tab="campagnes"
      title={title}
      breadcrumb={[
        { href: '/operateur/campagnes', label: 'Campagnes' },
        ...(props.exists ? [{ href: `/operateur/campagnes/${props.annee}`, label: `Campagne ${props.annee}` }] : []),
      ]}
    >
      {!props.exists && props.from ? (
        <Alert type="info">{`Prérempli avec le calendrier ${props.from} décalé d’un an : reportez les dates de l’arrêté de la campagne ${props.annee}.`}</Alert>
      ) : null}
      <p>
        Le calendrier est vérifié comme par la commande campagne-modifier : s’il est refusé, rien n’est modifié. L’enregistrement est tracé
        avec votre nom.
      </p>
      <ErrorSummary errors={errors} message={props.message} />
      <form method="post" action={`/operateur/campagnes/${props.annee}`} noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        <Fieldset legendId="ouvertures-legende" legend="Ouvertures">
          <Inputs fields={OPENING_FIELDS} values={v} errors={errors} />
        </Fieldset>
        <Periods values={v} errors={errors} />
        <Waves values={v} errors={errors} />
        <Fieldset legendId="fin-legende" legend="Parts non versables et fonds non affectés">
          <Inputs fields={END_FIELDS} values={v} errors={errors} />
        </Fieldset>
        <ul className="fr-btns-group fr-btns-group--inline-md">
          <li>
            <button className="fr-btn" type="submit" name="action" value="enregistrer">
              Enregistrer le calendrier
            </button>
          </li>
          <li>
            <a className="fr-btn fr-btn--secondary" href={props.exists ? `/operateur/campagnes/${props.annee}` : '/operateur/campagnes'}>
              Annuler
            </a>
          </li>
        </ul>
      </form>
    </OperatorFrame>
  );
}
