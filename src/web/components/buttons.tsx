import type { ReactNode } from 'react';
import { CsrfField } from './form.js';

/** A DSFR button: a link styled as a button, or the submit button of the form it stands in. */
export type ButtonSpec =
  | { label: ReactNode; href: string; className?: string; download?: boolean }
  | { label: ReactNode; submit: true; className?: string; name?: string; value?: string; ariaLabel?: string };

/** `<ul class="fr-btns-group …">`, one button a line; a `null` leaves that button out. */
export function ButtonsGroup(props: {
  /** the group's modifiers: `fr-btns-group--inline-md fr-mt-3w`… */
  className: string;
  buttons: readonly (ButtonSpec | null)[];
}) {
  return (
    <ul className={`fr-btns-group ${props.className}`}>
      {props.buttons.map((b, i) =>
        b === null ? null : (
          <li key={i}>
            {'href' in b ? (
              <a className={b.className ?? 'fr-btn'} href={b.href} download={b.download}>
                {b.label}
              </a>
            ) : (
              <button className={b.className ?? 'fr-btn'} type="submit" name={b.name} value={b.value} aria-label={b.ariaLabel}>
                {b.label}
              </button>
            )}
          </li>
        ),
      )}
    </ul>
  );
}

/** A file to download (a list's CSV export), as a link with the download icon, in its own paragraph. */
export function DownloadLink(props: { href: string; label: string }) {
  return (
    <p className="no-print">
      <a className="fr-link fr-icon-download-line fr-link--icon-left" href={props.href} download>
        {props.label}
      </a>
    </p>
  );
}

/** The guide's « Annuler » (a link to `cancel`) and « Valider » (the form's submit), in that order. */
export function CancelAndValidate(props: { cancel: string }) {
  return (
    <ButtonsGroup
      className="fr-btns-group--inline-md fr-btns-group--icon-left fr-mt-3w"
      buttons={[
        { label: 'Annuler', href: props.cancel, className: 'fr-btn fr-btn--secondary fr-icon-close-line fr-btn--icon-left' },
        { label: 'Valider', submit: true, className: 'fr-btn fr-icon-check-line fr-btn--icon-left' },
      ]}
    />
  );
}

/** The usual pair of a form: go back (a link) and submit, in that order. */
export function BackAndSubmit(props: {
  back: string;
  backLabel: string;
  submit: string;
  /** the group's modifiers, `fr-btns-group--inline` unless told */
  className?: string;
}) {
  return (
    <ButtonsGroup
      className={props.className ?? 'fr-btns-group--inline'}
      buttons={[
        { label: props.backLabel, href: props.back, className: 'fr-btn fr-btn--secondary' },
        { label: props.submit, submit: true },
      ]}
    />
  );
}

/** Submit first, then an optional second button (a link, or another submit with its name and value). */
export function SubmitButtons(props: { label: string; secondary?: ButtonSpec }) {
  return (
    <ButtonsGroup
      className="fr-btns-group--inline-md fr-mt-3w"
      buttons={[
        { label: props.label, submit: true },
        props.secondary ? { className: 'fr-btn fr-btn--secondary', ...props.secondary } : null,
      ]}
    />
  );
}

/** A form of one button posting to `action` with the CSRF token: an action on one line of a list. */
export function PostButton(props: {
  csrfToken: string;
  action: string;
  label: ReactNode;
  className: string;
  ariaLabel?: string;
  title?: string;
  formClassName?: string;
  /** hidden fields posted with the button */
  fields?: Readonly<Record<string, string>>;
}) {
  return (
    <form method="post" action={props.action} className={props.formClassName}>
      <CsrfField token={props.csrfToken} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button className={props.className} type="submit" aria-label={props.ariaLabel} title={props.title}>
        {props.label}
      </button>
    </form>
  );
}
