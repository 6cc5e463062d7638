import type { FieldErrors } from '../../shared/fields.js';
import { CsrfField, ErrorSummary } from '../components/form.js';
import { SubmitButtons } from '../components/buttons.js';
import { Layout, type PageContext } from '../layout.js';
import { PasswordFields, SecretQuestionFields } from './password-fields.js';

/** The page behind the invitation link: a new déclarant chooses a password and a secret question. */
export function InvitationPage(props: {
  ctx: PageContext;
  token: string;
  person: { nom: string; prenom: string; siret: string };
  values?: Record<string, unknown>;
  errors?: FieldErrors;
}) {
  const p = props.person;
  return (
    <Layout ctx={props.ctx} title="Choisissez votre mot de passe">
      <h1>Choisissez votre mot de passe</h1>
      <ErrorSummary errors={props.errors} />
      <p>
        Bonjour {p.prenom} {p.nom}, vous avez été ajouté comme déclarant sur net-entreprises. Choisissez votre mot de passe et votre
        question secrète ; vous vous connecterez ensuite avec le SIRET <strong>{p.siret}</strong>, votre nom et votre prénom.
      </p>
      <p>Les champs suivis d’un astérisque (*) sont obligatoires.</p>
      <form method="post" action="/invitation" noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        <input type="hidden" name="jeton" value={props.token} />
        <PasswordFields errors={props.errors} />
        <SecretQuestionFields errors={props.errors} values={props.values} />
        <SubmitButtons label="Valider" />
      </form>
    </Layout>
  );
}
