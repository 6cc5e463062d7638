/**
 * « Inscription de votre entreprise » (the guide): « Quel est votre profil d'entreprise ? », the dialog
 * « Validation de vos déclarations » (a DSFR modal of the profile page with JavaScript, its own page
 * without), then « Votre inscription en tant qu'entreprise [tiers] déclarante » and its rights table.
 */
import { DECLARATIONS, DOMAINS, ORGANISATION_TYPES, type Declaration } from '../../domain/declarations.js';
import type { FieldErrors } from '../../shared/fields.js';
import { CheckboxGroup, CsrfField, FieldMessages, RadioGroup } from '../components/form.js';
import type { PageContext } from '../layout.js';
import { BOX_LABEL } from './habilitations.js';
import { BackForm, Frame, StepForm, registrationTitle, type StepperView } from './inscription-frame.js';

export interface ProfileValues {
  kind?: string;
  organisationType?: string;
  domains?: string[];
  declarations?: string[];
}

const DIALOG_ID = 'validation-declarations';
const DIALOG_TITLE = 'Validation de vos déclarations';

/** The dialog's text, in the guide's words. */
function DialogText() {
  return (
    <>
      <p>
        Les réponses que vous venez de donner nous permettent de sélectionner les services auxquels vous êtes éligibles. Dans le cas où
        cette sélection des services ne vous convient pas, vous avez la possibilité de modifier cette sélection par défaut en cliquant sur «
        Modifier la liste des déclarations » et en ajoutant et/ou supprimant les services de la liste.
      </p>
      <p>
        Si vous êtes tiers déclarant, cette liste des services concerne uniquement votre entreprise. Dès votre inscription terminée, vous
        pourrez revenir sur Net-Entreprises pour gérer vos clients et choisir les services souhaités.
      </p>
    </>
  );
}

const fullName = (d: Declaration) => `${d.name} - ${d.description}`;

/**
 * « Vos déclarations : » — the list (`editing` false) or its checkboxes (« Modifier la liste des
 * déclarations »). Every declaration of `shown` is drawn; in the modal the browser script hides those of
 * the domains not ticked (`data-domain`).
 */
function DeclarationsList(props: { shown: readonly Declaration[]; chosen: ReadonlySet<string>; editing: boolean; error?: string }) {
  return (
    <>
      <p className="fr-text--bold fr-mb-1w" id="declarations-list-title" hidden={props.editing}>
        Vos déclarations :
      </p>
      <ul className="fr-mb-2w" id="declarations-list" aria-labelledby="declarations-list-title" hidden={props.editing}>
        {props.shown.map((d) => (
          <li key={d.code} data-domain={d.domain} data-code={d.code} hidden={!props.chosen.has(d.code)}>
            {fullName(d)}
          </li>
        ))}
      </ul>
      <fieldset
        className="fr-fieldset"
        id="declarations"
        aria-labelledby="declarations-legend declarations-messages"
        hidden={!props.editing}
      >
        <legend className="fr-fieldset__legend" id="declarations-legend">
          Déclarations proposées pour les services choisis
        </legend>
        {props.shown.map((d) => (
          <div className="fr-fieldset__element" key={d.code} data-domain={d.domain}>
            <div className="fr-checkbox-group">
              <input
                type="checkbox"
                id={`declarations-${d.code}`}
                name="declarations"
                value={d.code}
                defaultChecked={props.chosen.has(d.code)}
              />
              <label className="fr-label" htmlFor={`declarations-${d.code}`}>
                {fullName(d)}
              </label>
            </div>
          </div>
        ))}
        <FieldMessages id="declarations-messages" error={props.error} />
      </fieldset>
    </>
  );
}

/** The profile page's modal: inside its form, so that « Valider » posts the profile with the list kept (`confirme`). */
function DeclarationsModal(props: { chosen: ReadonlySet<string> }) {
  return (
    <dialog id={DIALOG_ID} className="fr-modal" aria-labelledby={`${DIALOG_ID}-title`} data-declarations-dialog>
      <div className="fr-container fr-container--fluid fr-container-md">
        <div className="fr-grid-row fr-grid-row--center">
          <div className="fr-col-12 fr-col-md-10 fr-col-lg-8">
            <div className="fr-modal__body">
              <div className="fr-modal__header">
                <button type="button" className="fr-btn--close fr-btn" aria-controls={DIALOG_ID} title="Fermer">
                  Fermer
                </button>
              </div>
              <div className="fr-modal__content">
                <h2 id={`${DIALOG_ID}-title`} className="fr-modal__title">
                  {DIALOG_TITLE}
                </h2>
                <DialogText />
                <DeclarationsList shown={DECLARATIONS} chosen={props.chosen} editing={false} />
              </div>
              <div className="fr-modal__footer">
                <ul className="fr-btns-group fr-btns-group--inline-lg fr-btns-group--right fr-btns-group--icon-left">
                  <li>
                    <button type="button" className="fr-btn fr-btn--tertiary fr-icon-close-line fr-btn--icon-left" data-dialog-cancel>
                      Annuler
                    </button>
                  </li>
                  <li>
                    <button type="button" className="fr-btn fr-btn--secondary fr-icon-edit-line fr-btn--icon-left" data-dialog-edit>
                      Modifier la liste des déclarations
                    </button>
                  </li>
                  <li>
                    <button type="submit" className="fr-btn fr-icon-check-line fr-btn--icon-left" name="confirme" value="oui">
                      Valider
                    </button>
                  </li>
                </ul>
              </div>
            </div>
          </div>
        </div>
      </div>
    </dialog>
  );
}

export function ProfilePage(props: {
  ctx: PageContext;
  stepper: StepperView;
  /** the steps walked by each kind of registrant: the browser script redraws the stepper when the kind changes */
  totals: { entreprise: number; tiers: number };
  values?: ProfileValues;
  errors?: FieldErrors;
}) {
  const v = props.values ?? {};
  const domains = new Set(v.domains ?? ['formation']);
  const chosen = new Set(v.declarations ?? DECLARATIONS.filter((d) => domains.has(d.domain)).map((d) => d.code));
  const e = props.errors ?? {};
  return (
    <Frame ctx={props.ctx} stepper={props.stepper} errors={props.errors}>
      <h2 className="fr-h4">Quel est votre profil d’entreprise ?</h2>
      <StepForm
        csrfToken={props.ctx.csrfToken}
        step="profil"
        submit="Valider"
        action="/inscription/profil"
        noValidate
        data-profile-form
        data-steps-entreprise={props.totals.entreprise}
        data-steps-tiers={props.totals.tiers}
      >
        <RadioGroup
          name="kind"
          legend="Vous souhaitez utiliser Net-Entreprises pour..."
          required
          value={v.kind ?? 'entreprise'}
          error={e.kind}
          options={[
            { value: 'entreprise', label: 'Votre entreprise' },
            // a tiers-déclarant: expert-comptable, prestataire de paie, siège social…
            { value: 'tiers_declarant', label: 'Votre entreprise et vos clients' },
          ]}
        />
        <RadioGroup
          name="organisationType"
          legend="Vous êtes..."
          required
          value={v.organisationType}
          error={e.organisationType}
          options={ORGANISATION_TYPES.map((o) => ({ value: o.code, label: o.label }))}
        />
        <CheckboxGroup
          name="domains"
          legend="Vous souhaitez utiliser les services liés à..."
          values={[...domains]}
          error={e.domains ?? e.declarations}
          options={DOMAINS.map((d) => ({ value: d.code, label: d.label }))}
        />
        <DeclarationsModal chosen={chosen} />
      </StepForm>
    </Frame>
  );
}

/** « Validation de vos déclarations » as a page (without JavaScript, or after the profile posted alone). */
export function DeclarationsPage(props: {
  ctx: PageContext;
  stepper: StepperView;
  domains: readonly string[];
  chosen: readonly string[];
  editing: boolean;
  errors?: FieldErrors;
}) {
  const domains = new Set(props.domains);
  const shown = DECLARATIONS.filter((d) => domains.has(d.domain));
  const chosen = new Set(props.chosen);
  return (
    <Frame ctx={props.ctx} stepper={props.stepper} errors={props.errors}>
      <h2 className="fr-h4">{DIALOG_TITLE}</h2>
      <DialogText />
      <form method="post" action="/inscription/declarations">
        <CsrfField token={props.ctx.csrfToken} />
        <DeclarationsList shown={shown} chosen={chosen} editing={props.editing} error={props.errors?.declarations} />
        {/* the list as shown is the list kept: its codes go with « Valider » */}
        {props.editing ? null : props.chosen.map((c) => <input key={c} type="hidden" name="declarations" value={c} />)}
        <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left fr-mt-3w">
          <li>
            <button className="fr-btn fr-btn--tertiary fr-icon-close-line fr-btn--icon-left" type="submit" form="etape-precedente">
              Annuler
            </button>
          </li>
          {props.editing ? null : (
            <li>
              <a className="fr-btn fr-btn--secondary fr-icon-edit-line fr-btn--icon-left" href="/inscription/declarations?modifier=1">
                Modifier la liste des déclarations
              </a>
            </li>
          )}
          <li>
            <button className="fr-btn fr-icon-check-line fr-btn--icon-left" type="submit">
              Valider
            </button>
          </li>
        </ul>
      </form>
      <BackForm csrfToken={props.ctx.csrfToken} step="declarations" />
    </Frame>
  );
}

export interface RightRow {
  code: string;
  name: string;
  description: string;
  declarer: boolean;
  payer: boolean;
  payable: boolean;
}

function RightBox(props: { kind: 'declarer' | 'payer'; code: string; name: string; on: boolean }) {
  const id = `${props.kind}-${props.code}`;
  return (
    <div className="fr-checkbox-group fr-checkbox-group--sm">
      <input type="checkbox" id={id} name={props.kind} value={props.code} defaultChecked={props.on} data-right={props.kind} />
      <label className="fr-label" htmlFor={id} style={BOX_LABEL}>
        <span className="fr-sr-only">{`${props.kind === 'declarer' ? 'Déclarer' : 'Payer'} ${props.name}`}</span>
      </label>
    </div>
  );
}

/** « Tous »: ticked, every box of its column is (the browser script ticks them as well and keeps it in step). */
function AllBox(props: { kind: 'declarer' | 'payer' }) {
  const id = `tous-${props.kind}`;
  return (
    <div className="fr-checkbox-group fr-checkbox-group--sm">
      <input type="checkbox" id={id} name="tous" value={props.kind} data-right-all={props.kind} />
      <label className="fr-label" htmlFor={id}>
        Tous
        <span className="fr-sr-only">
          {props.kind === 'declarer' ? ' : déclarer toutes les déclarations' : ' : payer toutes les déclarations'}
        </span>
      </label>
    </div>
  );
}

/**
 * « Votre inscription en tant qu'entreprise déclarante »: « Validation de l'inscription », the company's
 * name and « Gestion des habilitations pour l'entreprise »: a row « Tous », then one per declaration.
 */
export function HabilitationsPage(props: {
  ctx: PageContext;
  stepper: StepperView;
  raisonSociale: string;
  nic: string;
  declarant: string;
  rows: readonly RightRow[];
  errors?: FieldErrors;
}) {
  const entreprise = `${props.raisonSociale} (${props.nic})`;
  return (
    <Frame ctx={props.ctx} stepper={props.stepper} errors={props.errors}>
      <h2 className="fr-h4">{registrationTitle(props.stepper.tiers)}</h2>
      <h3 className="fr-h6">Validation de l’inscription</h3>
      <p>
        Nom de l’entreprise : <strong>{props.raisonSociale}</strong>
      </p>
      <StepForm csrfToken={props.ctx.csrfToken} step="habilitations" submit="Étape suivante" action="/inscription/habilitations">
        <div className="fr-table fr-table--bordered">
          <table>
            <caption>Gestion des habilitations pour l’entreprise</caption>
            <thead>
              <tr>
                {['Entreprise', 'Déclarants', 'Déclarations', 'Déclarer', 'Payer'].map((c) => (
                  <th scope="col" key={c}>
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.rows.length === 0 ? (
                <tr>
                  <td colSpan={5}>Aucune déclaration choisie : vous pourrez en ajouter dans « Gérer les déclarations ».</td>
                </tr>
              ) : (
                <tr>
                  <td>{entreprise}</td>
                  <td>{props.declarant}</td>
                  <td>Toutes les déclarations</td>
                  <td>
                    <AllBox kind="declarer" />
                  </td>
                  <td>{props.rows.some((r) => r.payable) ? <AllBox kind="payer" /> : 'Sans objet'}</td>
                </tr>
              )}
              {props.rows.map((r) => (
                <tr key={r.code}>
                  <td>{entreprise}</td>
                  <td>{props.declarant}</td>
                  <td>{`${r.name} - ${r.description}`}</td>
                  <td>
                    <RightBox kind="declarer" code={r.code} name={r.name} on={r.declarer} />
                  </td>
                  <td>{r.payable ? <RightBox kind="payer" code={r.code} name={r.name} on={r.payer} /> : 'Sans objet'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </StepForm>
    </Frame>
  );
}
