import type { FieldErrors } from '../../shared/fields.js';
import { Alert, CsrfField, ErrorSummary, Input, RadioGroup } from '../components/form.js';
import { CancelAndValidate, PostButton } from '../components/buttons.js';
import { Layout, type PageContext } from '../layout.js';
import { PasswordFields } from './password-fields.js';

const TITLE = 'Mot de passe oublié';

/** The three ways of the guide's « Réinitialiser le mot de passe », in its words. */
export const WAYS = {
  question: 'Utilisez la question secrète pour obtenir un nouveau mot de passe',
  courriel: 'Envoyez-vous « un mot de passe provisoire » pour vous connecter',
  administrateur: 'Envoyez une demande de génération de mot de passe à votre administrateur',
} as const;

export function ForgotPage(props: { ctx: PageContext; values?: Record<string, unknown>; errors?: FieldErrors }) {
  const e = props.errors ?? {};
  const v = props.values ?? {};
  return (
    <Layout ctx={props.ctx} title={TITLE}>
      <h1>{TITLE}</h1>
      <ErrorSummary errors={props.errors} />
      <form method="post" action="/mot-de-passe-oublie" noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        <p>Saisissez vos paramètres de connexion et cliquez sur « Valider ».</p>
        <Input name="siret" label="Siret" required inputMode="numeric" maxLength={20} value={v.siret} error={e.siret} hint="14 chiffres" />
        <Input name="nom" label="Nom" required maxLength={50} value={v.nom} error={e.nom} />
        <Input name="prenom" label="Prénom" required maxLength={50} value={v.prenom} error={e.prenom} />
        <p>Plusieurs possibilités s’offrent à vous afin de modifier votre mot de passe et/ou votre adresse électronique.</p>
        <RadioGroup
          name="methode"
          legend="Réinitialiser le mot de passe"
          required
          value={v.methode ?? 'question'}
          error={e.methode}
          options={[
            { value: 'question', label: WAYS.question, hint: `${QUESTION_PROMPT} ${QUESTION_RULE}` },
            {
              value: 'courriel',
              label: WAYS.courriel,
              hint: 'Le lien permettant la réinitialisation du mot de passe sera transmis à l’adresse électronique enregistrée (valable une heure). Cette adresse doit être valide.',
            },
            {
              value: 'administrateur',
              label: WAYS.administrateur,
              hint: 'Suite à la réception de la demande, votre administrateur vous transmettra un nouveau mot de passe vous permettant de vous connecter et de mettre à jour votre adresse électronique.',
            },
          ]}
        />
        <CancelAndValidate cancel="/connexion" />
      </form>
    </Layout>
  );
}

/** What the secret question's page asks, and the rule, stated before the first try (the guide's words). */
export const QUESTION_PROMPT = 'Répondez à la question secrète renseignée lors de votre inscription, puis validez.';
export const QUESTION_RULE = 'Au-delà de 5 réponses erronées, un délai d’attente de 60 minutes vous sera demandé.';

/**
 * The secret question's page. The stored question is not shown: it would tell a real account from an
 * unknown one before the person is identified (docs/regles.md#comptes). The same page follows every
 * refusal (`refused`): a wrong answer, an unknown triplet and a locked question look alike.
 */
export function SecretQuestionPage(props: { ctx: PageContext; errors?: FieldErrors; refused?: boolean }) {
  return (
    <Layout ctx={props.ctx} title={`${TITLE} - question secrète`}>
      <h1>{TITLE}</h1>
      <ErrorSummary errors={props.errors} />
      <p>{QUESTION_PROMPT}</p>
      <Alert type="info">{QUESTION_RULE}</Alert>
      {props.refused ? (
        <p>
          Vous ne retrouvez pas votre réponse, ou vous avez atteint les 5 réponses erronées ?{' '}
          <a className="fr-link" href="/mot-de-passe-oublie">
            Choisissez une autre façon de réinitialiser votre mot de passe
          </a>{' '}
          : un lien par courriel ou une demande à votre administrateur.
        </p>
      ) : null}
      <form method="post" action="/mot-de-passe-oublie/question" noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        <Input
          name="answer"
          type="password"
          label="Votre réponse"
          required
          maxLength={50}
          autoComplete="off"
          error={props.errors?.answer}
          hint="La réponse à la question secrète que vous avez choisie. La casse (majuscules et minuscules) est respectée."
        />
        <CancelAndValidate cancel="/connexion" />
      </form>
    </Layout>
  );
}

export function NewPasswordPage(props: { ctx: PageContext; action: string; token?: string; errors?: FieldErrors; message?: string }) {
  return (
    <Layout ctx={props.ctx} title={`${TITLE} - nouveau mot de passe`}>
      <h1>Choisissez votre nouveau mot de passe</h1>
      <ErrorSummary errors={props.errors} message={props.message} />
      <form method="post" action={props.action} noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        {props.token ? <input type="hidden" name="jeton" value={props.token} /> : null}
        <PasswordFields errors={props.errors} label="Nouveau mot de passe" />
        <CancelAndValidate cancel="/connexion" />
      </form>
    </Layout>
  );
}

export function EmailValidationPage(props: { ctx: PageContext; token: string }) {
  return (
    <Layout ctx={props.ctx} title="Validation de votre adresse électronique">
      <h1>Validation de votre adresse électronique</h1>
      <p>Confirmez que cette adresse électronique est bien la vôtre.</p>
      <PostButton
        csrfToken={props.ctx.csrfToken}
        action="/validation-courriel"
        fields={{ jeton: props.token }}
        className="fr-btn"
        label="Valider mon adresse électronique"
      />
    </Layout>
  );
}
