/**
 * What every inscription page shares: the title, the stepper counting the steps this person walks, and
 * the guide's buttons « Abandonner l'inscription », « Étape précédente » and the step's own
 * (« Étape suivante », « Valider »…), in the guide's order.
 */
import type { FormHTMLAttributes, ReactNode } from 'react';
import type { StepperItem } from '../../modules/accounts/inscription-path.js';
import type { FieldErrors } from '../../shared/fields.js';
import { CsrfField, ErrorSummary, Stepper } from '../components/form.js';
import { Layout, type PageContext } from '../layout.js';

export const TITLE = 'Inscription à net-entreprises';

/** The steps walked, as the route computed them (inscription-path.ts), and the current one. */
export interface StepperView {
  items: readonly StepperItem[];
  at: StepperItem;
  tiers?: boolean;
}

/** The stepper's labels, in the guide's words. */
export function stepLabel(item: StepperItem, tiers?: boolean): string {
  switch (item) {
    case 'coordonnees':
      return 'Vos coordonnées';
    case 'cgu':
      return 'Conditions générales d’utilisation';
    case 'identification':
      return 'Identification de votre établissement';
    case 'password':
      return 'Mot de passe et question secrète';
    case 'recap':
      return 'Vos données d’authentification';
    case 'profil':
      return 'Inscription de votre entreprise';
    case 'habilitations':
      return registrationTitle(tiers);
    case 'declarants':
      return 'Inscription des déclarants';
    case 'confirmation':
      return 'Validation de l’inscription';
  }
}

/** « Votre inscription en tant qu'entreprise déclarante » / « … tiers déclarante » (the guide). */
export const registrationTitle = (tiers?: boolean) =>
  `Votre inscription en tant qu’entreprise ${tiers ? 'tiers déclarante' : 'déclarante'}`;

export function Frame(props: {
  ctx: PageContext;
  stepper?: StepperView;
  /** the page's own title when it has no stepper */
  title?: string;
  children: ReactNode;
  errors?: FieldErrors;
  message?: string;
}) {
  const s = props.stepper;
  const labels = s ? s.items.map((i) => stepLabel(i, s.tiers)) : [];
  const current = s ? s.items.indexOf(s.at) + 1 : 0;
  return (
    <Layout ctx={props.ctx} title={`${props.title ?? labels[current - 1]} - ${TITLE}`}>
      <h1>{TITLE}</h1>
      {s ? <Stepper current={current} steps={labels} /> : null}
      <ErrorSummary errors={props.errors} message={props.message} />
      {props.children}
    </Layout>
  );
}

/** The id of the small form behind « Étape précédente » (its button stands among the step's own). */
const BACK_FORM = 'etape-precedente';

/**
 * The guide's row of buttons: « Abandonner l'inscription » (a link to its confirmation), « Étape
 * précédente » (a button of its own form, so that Enter in a field still submits the step) and the
 * step's submit button. Put it inside the step's form; `BackForm` goes after that form.
 */
export function StepButtons(props: { submit: ReactNode; back?: boolean; abandon?: boolean; submitName?: string; submitValue?: string }) {
  return (
    <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left fr-mt-3w no-print">
      {props.abandon !== false ? (
        <li>
          <a className="fr-btn fr-btn--tertiary fr-icon-close-line fr-btn--icon-left" href="/inscription/abandonner">
            Abandonner l’inscription
          </a>
        </li>
      ) : null}
      {props.back !== false ? (
        <li>
          <button className="fr-btn fr-btn--secondary fr-icon-arrow-left-line fr-btn--icon-left" type="submit" form={BACK_FORM}>
            Étape précédente
          </button>
        </li>
      ) : null}
      <li>
        <button className="fr-btn" type="submit" name={props.submitName} value={props.submitValue}>
          {props.submit}
        </button>
      </li>
    </ul>
  );
}

/** The form « Étape précédente » posts: the step being left, which the server checks is the draft's. */
export function BackForm(props: { csrfToken: string; step: string }) {
  return (
    <form method="post" action="/inscription/etape-precedente" id={BACK_FORM} hidden>
      <CsrfField token={props.csrfToken} />
      <input type="hidden" name="etape" value={props.step} />
    </form>
  );
}

/**
 * A step's form: its fields, the guide's row of buttons (`StepButtons`) with the step's `submit`, and
 * after it the form of « Étape précédente » for this `step`. Other attributes go to the step's form.
 */
export function StepForm(
  props: { csrfToken: string; step: string; submit: ReactNode; children?: ReactNode } & Omit<
    FormHTMLAttributes<HTMLFormElement>,
    'children'
  >,
) {
  const { csrfToken, step, submit, children, ...form } = props;
  return (
    <>
      <form method="post" {...form}>
        <CsrfField token={csrfToken} />
        {children}
        <StepButtons submit={submit} />
      </form>
      <BackForm csrfToken={csrfToken} step={step} />
    </>
  );
}
