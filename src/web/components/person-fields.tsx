import type { FieldErrors } from '../../shared/fields.js';
import { Input } from './form.js';

/**
 * A person's name, telephone and e-mail, as the inscription and « Gérer les déclarants » ask them.
 * `own`: the person types their own (the browser may fill them in); otherwise an administrator types
 * someone else's, and autocompletion is off.
 */
interface PersonFieldsProps {
  values: Record<string, unknown>;
  errors: FieldErrors;
  own: boolean;
}

const NAMES = [
  { name: 'nom', label: 'Nom', autoComplete: 'family-name' },
  { name: 'prenom', label: 'Prénom', autoComplete: 'given-name' },
] as const;

/** « Nom » and « Prénom »: with the SIRET, they are what the person signs in with. */
export function NameFields({ values: v, errors: e, own }: PersonFieldsProps) {
  return (
    <>
      {NAMES.map((f) => (
        <Input
          key={f.name}
          name={f.name}
          label={f.label}
          required
          autoComplete={own ? f.autoComplete : 'off'}
          maxLength={50}
          validate="name"
          value={v[f.name]}
          error={e[f.name]}
        />
      ))}
    </>
  );
}

export function TelephoneField({ values: v, errors: e, own }: PersonFieldsProps) {
  return (
    <Input
      name="telephone"
      type="tel"
      label="Téléphone"
      required
      autoComplete={own ? 'tel' : 'off'}
      maxLength={20}
      validate="phone"
      value={v.telephone}
      error={e.telephone}
      hint="Exemple : 01 23 45 67 89"
    />
  );
}

/** The address and its confirmation (checked in the page as they are typed). */
export function EmailFields(props: PersonFieldsProps & { label: string; hint?: string }) {
  const { values: v, errors: e } = props;
  const autoComplete = props.own ? 'email' : 'off';
  const email = { type: 'email', required: true, autoComplete, maxLength: 254 } as const;
  return (
    <>
      <Input {...email} name="email" label={props.label} validate="email" value={v.email} error={e.email} hint={props.hint} />
      <Input
        {...email}
        name="emailConfirm"
        label="Confirmation courriel"
        validate="confirm:email"
        value={v.emailConfirm}
        error={e.emailConfirm}
      />
    </>
  );
}
