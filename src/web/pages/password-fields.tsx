import type { FieldErrors } from '../../shared/fields.js';
import { passwordChecklist, SECRET_ANSWER_MIN, SECRET_QUESTION_MIN } from '../../domain/password-policy.js';
import { Input } from '../components/form.js';

/**
 * The guide's criteria and gauge: each criterion met in green with a check, the minimal ones marked
 * with an asterisk, « Qualité de votre mot de passe : … ». Rendered here from `passwordChecklist`; the
 * browser script (web/client/app.ts) redraws it as the person types, from the same function.
 */
function PasswordCriteria() {
  const list = passwordChecklist('');
  return (
    <div className="fr-mt-1w">
      <p className="fr-text--sm fr-mb-1v" id="password-rules-title">
        Critères du mot de passe (* : obligatoire) :
      </p>
      <ul className="rules fr-text--sm" aria-labelledby="password-rules-title">
        {list.checks.map((r) => (
          <li key={r.id} data-rule={r.id} className={r.ok ? 'rule-ok' : 'rule-ko'}>
            {r.label}
            {r.required ? <span aria-hidden="true"> *</span> : null}
            <span className="fr-sr-only rule-state">{`${r.required ? ' (obligatoire)' : ''} : ${r.ok ? 'respecté' : 'non respecté'}`}</span>
          </li>
        ))}
      </ul>
      <label htmlFor="password-gauge" id="password-gauge-label" className="fr-text--sm">
        {list.label}
      </label>
      <br />
      <meter id="password-gauge" className="gauge" min={0} max={4} low={2} high={3} optimum={4} value={list.score}></meter>
    </div>
  );
}

/** What the password and its confirmation share: a new password, typed twice, of at most 20 characters. */
const NEW_PASSWORD = { type: 'password', required: true, autoComplete: 'new-password', maxLength: 20 } as const;

/** Password + confirmation with the criteria shown live (check marks) and a quality gauge. */
export function PasswordFields(props: { errors?: FieldErrors; label?: string; confirmLabel?: string }) {
  const e = props.errors ?? {};
  return (
    <>
      <Input
        {...NEW_PASSWORD}
        name="password"
        label={props.label ?? 'Mot de passe'}
        validate="password"
        error={e.password}
        hint="Le mot de passe respecte la casse (majuscules et minuscules)."
        extra={<PasswordCriteria />}
      />
      <Input
        {...NEW_PASSWORD}
        name="passwordConfirm"
        label={props.confirmLabel ?? 'Confirmation du mot de passe'}
        validate="confirm:password"
        error={e.passwordConfirm}
      />
    </>
  );
}

export function SecretQuestionFields(props: {
  errors?: FieldErrors;
  values?: Record<string, unknown>;
  questionLabel?: string;
  answerLabel?: string;
}) {
  const e = props.errors ?? {};
  return (
    <>
      <Input
        name="secretQuestion"
        label={props.questionLabel ?? 'Question secrète'}
        required
        validate="question"
        maxLength={100}
        value={props.values?.secretQuestion}
        error={e.secretQuestion}
        hint={`${SECRET_QUESTION_MIN} caractères au minimum. Elle vous sera posée si vous oubliez votre mot de passe.`}
      />
      <Input
        name="secretAnswer"
        type="password"
        label={props.answerLabel ?? 'Réponse à la question secrète'}
        required
        validate="answer"
        maxLength={50}
        autoComplete="off"
        error={e.secretAnswer}
        hint={`${SECRET_ANSWER_MIN} caractères au minimum ; la casse est respectée.`}
      />
    </>
  );
}

/** « Mot de passe actuel », asked again before each change; `id` differs for each form of one page. */
export function CurrentPasswordField(props: { id?: string; error?: string }) {
  return (
    <Input
      name="current"
      id={props.id}
      type="password"
      label="Mot de passe actuel"
      required
      autoComplete="current-password"
      maxLength={20}
      error={props.error}
    />
  );
}
