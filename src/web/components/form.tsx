import type { ReactNode } from 'react';
import type { FieldErrors } from '../../shared/fields.js';

/** DSFR form building blocks. Every field has a label, its hint, and its error bound by aria-describedby. */

export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/** A form's errors: the form's own (`_form`, else `message`) as the title, a link to each field in error. */
export function ErrorSummary(props: { errors?: FieldErrors; message?: string }) {
  const errors = props.errors ?? {};
  const formError = errors._form ?? props.message;
  if (!fieldErrors(errors).length && !formError) return null;
  return <ErrorAlert title={formError ?? 'Le formulaire contient des erreurs'} errors={errors} />;
}

const fieldErrors = (errors: FieldErrors) => Object.entries(errors).filter(([k]) => k !== '_form');

/** The DSFR error alert above a form: its title, what else went wrong, and a link to each field in error. */
export function ErrorAlert(props: { title: string; detail?: string; errors: FieldErrors }) {
  const entries = fieldErrors(props.errors);
  return (
    <div className="fr-alert fr-alert--error fr-mb-3w" role="alert" id="erreurs">
      <h2 className="fr-alert__title">{props.title}</h2>
      {props.detail ? <p>{props.detail}</p> : null}
      {entries.length ? (
        <ul>
          {entries.map(([field, msg]) => (
            <li key={field}>
              <a href={`#${field}`}>{msg}</a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** What an input of `Inputs` says of itself (its value and error come from the form's). */
export type InputSpec = Omit<Parameters<typeof Input>[0], 'value' | 'error'>;

/** Inputs of one form, in order, each with the value and the error of its name. */
export function Inputs(props: { fields: readonly InputSpec[]; values: object; errors: FieldErrors }) {
  const values = props.values as Readonly<Record<string, unknown>>;
  return (
    <>
      {props.fields.map((f) => (
        <Input key={f.name} {...f} value={values[f.name]} error={props.errors[f.name]} />
      ))}
    </>
  );
}

export function Input(props: {
  name: string;
  /** defaults to `name`; give another when the same name appears in several forms of one page */
  id?: string;
  label: string;
  required?: boolean;
  type?: string;
  hint?: ReactNode;
  value?: unknown;
  error?: string;
  autoComplete?: string;
  validate?: string;
  inputMode?: 'numeric' | 'tel' | 'email' | 'text';
  maxLength?: number;
  readOnly?: boolean;
  extra?: ReactNode;
}) {
  const id = props.id ?? props.name;
  const hintId = `${id}-hint`;
  const msgId = `${id}-messages`;
  const describedBy = [props.hint ? hintId : null, msgId].filter(Boolean).join(' ');
  return (
    <div className={`fr-input-group ${props.error ? 'fr-input-group--error' : ''}`} data-field={id}>
      <label className="fr-label" htmlFor={id}>
        {props.label}
        {props.required ? <span aria-hidden="true"> *</span> : null}
        {props.hint ? (
          <span className="fr-hint-text" id={hintId}>
            {props.hint}
          </span>
        ) : null}
      </label>
      <input
        className={`fr-input ${props.error ? 'fr-input--error' : ''}`}
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        defaultValue={typeof props.value === 'string' ? props.value : undefined}
        required={props.required}
        aria-required={props.required ? true : undefined}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy}
        autoComplete={props.autoComplete}
        data-validate={props.validate}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        readOnly={props.readOnly}
      />
      <FieldMessages id={msgId} error={props.error} />
      {props.extra}
    </div>
  );
}

export function Select(props: {
  name: string;
  label: string;
  options: readonly { value: string; label: string }[];
  value?: unknown;
  error?: string;
  required?: boolean;
  placeholder?: string;
}) {
  return (
    <div className={`fr-select-group ${props.error ? 'fr-select-group--error' : ''}`}>
      <label className="fr-label" htmlFor={props.name}>
        {props.label}
        {props.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      <select
        className="fr-select"
        id={props.name}
        name={props.name}
        defaultValue={typeof props.value === 'string' ? props.value : ''}
        aria-describedby={`${props.name}-messages`}
        aria-invalid={props.error ? true : undefined}
        required={props.required}
      >
        {props.placeholder !== undefined ? (
          <option value="" disabled>
            {props.placeholder}
          </option>
        ) : null}
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldMessages id={`${props.name}-messages`} error={props.error} />
    </div>
  );
}

/** A select and its label only (a search criterion, what a page shows): no hint, no error, its `id` apart from its name. */
export function PlainSelect(props: {
  id: string;
  name: string;
  label: string;
  options: readonly { value: string; label: string }[];
  value: string;
}) {
  return (
    <div className="fr-select-group">
      <label className="fr-label" htmlFor={props.id}>
        {props.label}
      </label>
      <select className="fr-select" id={props.id} name={props.name} defaultValue={props.value}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The messages of a field (its error), announced as they change; aria-describedby points to `id`. */
export function FieldMessages(props: { id: string; error?: string }) {
  return (
    <div className="fr-messages-group" id={props.id} aria-live="polite">
      {props.error ? <p className="fr-message fr-message--error">{props.error}</p> : null}
    </div>
  );
}

type ChoiceOption = { value: string; label: string; hint?: string };

/** A fieldset of radios or checkboxes named `name`: its legend, one box per option, its messages. */
function ChoiceFieldset(props: {
  type: 'radio' | 'checkbox';
  name: string;
  legend: ReactNode;
  options: readonly ChoiceOption[];
  checked: (value: string) => boolean;
  error?: string;
  required?: boolean;
  /** before the boxes (the text shown when there is nothing to choose) */
  before?: ReactNode;
}) {
  const { name } = props;
  return (
    <fieldset
      className={`fr-fieldset ${props.error ? 'fr-fieldset--error' : ''}`}
      id={name}
      aria-labelledby={`${name}-legend ${name}-messages`}
    >
      <legend className="fr-fieldset__legend" id={`${name}-legend`}>
        {props.legend}
      </legend>
      {props.before}
      {props.options.map((o) => (
        <div className="fr-fieldset__element" key={o.value}>
          <div className={`fr-${props.type}-group`}>
            <input
              type={props.type}
              id={`${name}-${o.value}`}
              name={name}
              value={o.value}
              defaultChecked={props.checked(o.value)}
              required={props.required}
            />
            <label className="fr-label" htmlFor={`${name}-${o.value}`}>
              {o.label}
              {o.hint ? <span className="fr-hint-text">{o.hint}</span> : null}
            </label>
          </div>
        </div>
      ))}
      <FieldMessages id={`${name}-messages`} error={props.error} />
    </fieldset>
  );
}

export function RadioGroup(props: {
  name: string;
  legend: string;
  options: readonly ChoiceOption[];
  value?: unknown;
  error?: string;
  required?: boolean;
}) {
  return (
    <ChoiceFieldset
      type="radio"
      name={props.name}
      legend={
        <>
          {props.legend}
          {props.required ? <span aria-hidden="true"> *</span> : null}
        </>
      }
      options={props.options}
      checked={(v) => props.value === v}
      error={props.error}
      required={props.required}
    />
  );
}

/** A fieldset of checkboxes; the checked ones come from `values` or from each option's `checked`. */
export function CheckboxGroup(props: {
  name: string;
  legend: string;
  hint?: string;
  options: readonly (ChoiceOption & { checked?: boolean })[];
  values?: readonly string[];
  error?: string;
  /** shown instead of the boxes when there is nothing to choose */
  empty?: string;
}) {
  const checked = new Set([...(props.values ?? []), ...props.options.filter((o) => o.checked).map((o) => o.value)]);
  return (
    <ChoiceFieldset
      type="checkbox"
      name={props.name}
      legend={
        <>
          {props.legend}
          {props.hint ? <span className="fr-hint-text">{props.hint}</span> : null}
        </>
      }
      before={props.options.length === 0 && props.empty ? <p className="fr-fieldset__element">{props.empty}</p> : null}
      options={props.options}
      checked={(v) => checked.has(v)}
      error={props.error}
    />
  );
}

export function Alert(props: { type: 'success' | 'info' | 'warning' | 'error'; title?: string; children?: ReactNode }) {
  return (
    <div className={`fr-alert fr-alert--${props.type} fr-mb-3w`} role={props.type === 'error' ? 'alert' : 'status'}>
      {props.title ? <h2 className="fr-alert__title">{props.title}</h2> : null}
      {typeof props.children === 'string' ? <p>{props.children}</p> : props.children}
    </div>
  );
}

/** Stepper shown on each inscription page (DSFR « indicateur d'étapes »). */
export function Stepper(props: { current: number; steps: readonly string[] }) {
  const title = props.steps[props.current - 1] ?? '';
  const next = props.steps[props.current];
  return (
    <div className="fr-stepper">
      <h2 className="fr-stepper__title">
        {title}
        <span className="fr-stepper__state">{`Étape ${props.current} sur ${props.steps.length}`}</span>
      </h2>
      <div className="fr-stepper__steps" data-fr-current-step={props.current} data-fr-steps={props.steps.length}></div>
      {next ? (
        <p className="fr-stepper__details">
          <span className="fr-text--bold">Étape suivante :</span> {next}
        </p>
      ) : null}
    </div>
  );
}

/** « Retour au menu personnalisé », at the foot of the administration pages. */
export function BackToMenu() {
  return (
    <p>
      <a className="fr-link" href="/menu">
        Retour au menu personnalisé
      </a>
    </p>
  );
}

/**
 * A DSFR fieldset named by its legend (and the legend's hint), its fields in one `fr-fieldset__element`.
 * `legendId` is the legend's id, which `aria-labelledby` points to.
 */
export function Fieldset(props: {
  legendId: string;
  legend: ReactNode;
  hint?: ReactNode;
  id?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <fieldset className={props.className ? `fr-fieldset ${props.className}` : 'fr-fieldset'} id={props.id} aria-labelledby={props.legendId}>
      <legend className="fr-fieldset__legend" id={props.legendId}>
        {props.legend}
        {props.hint ? <span className="fr-hint-text">{props.hint}</span> : null}
      </legend>
      <div className="fr-fieldset__element">{props.children}</div>
    </fieldset>
  );
}

/** What a `PreferenceForm` asks: the checkbox's name, legend and choice, and its submit button. */
export interface Preference {
  name: string;
  legend: string;
  choice: { value: string; label: string; hint: string };
  submit: { label: string; className: string };
}

/** A preference saved on its own: a form posting one checkbox (in its fieldset) and its submit button. */
export function PreferenceForm(props: { action: string; csrfToken: string; preference: Preference; checked: boolean; className?: string }) {
  const p = props.preference;
  return (
    <form method="post" action={props.action} className={props.className}>
      <CsrfField token={props.csrfToken} />
      <Fieldset legendId={`${p.name}-legend`} legend={p.legend}>
        <Checkbox name={p.name} {...p.choice} checked={props.checked} />
      </Fieldset>
      <button className={p.submit.className} type="submit">
        {p.submit.label}
      </button>
    </form>
  );
}

/** One checkbox (its id is its name) and its label, which holds its hint (so the hint is read with the name). */
export function Checkbox(props: { name: string; value: string; checked: boolean; label: ReactNode; hint: ReactNode }) {
  return (
    <div className="fr-checkbox-group">
      <input type="checkbox" id={props.name} name={props.name} value={props.value} defaultChecked={props.checked} />
      <label className="fr-label" htmlFor={props.name}>
        {props.label}
        <span className="fr-hint-text">{props.hint}</span>
      </label>
    </div>
  );
}
