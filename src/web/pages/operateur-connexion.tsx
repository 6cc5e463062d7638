/**
 * The operator's login pages (docs/regles.md#operateur): courriel and password, then the code of the
 * authenticator application — or, at the first login, its enrolment (QR code drawn on the server and
 * the secret in text); the page of the single-use link that sets the password.
 */
import type { FieldErrors } from '../../shared/fields.js';
import { Alert, CsrfField, ErrorSummary, Input } from '../components/form.js';
import { Layout, type PageContext } from '../layout.js';
import { PasswordFields } from './password-fields.js';
import type { LoginFormProps } from './public.js';

export function AgentLoginPage(props: LoginFormProps) {
  const e = props.errors ?? {};
  return (
    <Layout ctx={props.ctx} title="Connexion à l’espace opérateur">
      <h1>Connexion à l’espace opérateur</h1>
      <p>
        Réservé aux agents de la Caisse des Dépôts, opérateur de SOLTéA. Les entreprises et les établissements se connectent depuis la page
        d’accueil de net-entreprises.
      </p>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      <ErrorSummary errors={props.errors} message={props.message} />
      <form method="post" action="/operateur/connexion" noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        {props.retour ? <input type="hidden" name="retour" value={props.retour} /> : null}
        <Input
          name="courriel"
          label="Courriel"
          type="email"
          required
          autoComplete="username"
          value={props.values?.courriel}
          error={e.courriel}
        />
        <Input name="password" label="Mot de passe" type="password" required autoComplete="current-password" error={e.password} />
        <button className="fr-btn" type="submit">
          Continuer
        </button>
      </form>
    </Layout>
  );
}

/** `/operateur/connexion/…` with the page to go back to once connected. */
const withReturn = (path: string, retour: string | undefined) => (retour ? `${path}?retour=${encodeURIComponent(retour)}` : path);

export function AgentCodePage(props: { ctx: PageContext; errors?: FieldErrors; message?: string; retour?: string | undefined }) {
  return (
    <Layout ctx={props.ctx} title="Code de double authentification">
      <h1>Code de double authentification</h1>
      <ErrorSummary errors={props.errors} message={props.message} />
      <CodeForm ctx={props.ctx} action={withReturn('/operateur/connexion/code', props.retour)} error={props.errors?.code} />
    </Layout>
  );
}

function CodeForm(props: { ctx: PageContext; action: string; error?: string | undefined }) {
  return (
    <form method="post" action={props.action} noValidate>
      <CsrfField token={props.ctx.csrfToken} />
      <Input
        name="code"
        label="Code à 6 chiffres"
        hint="Le code affiché maintenant par votre application d’authentification ; il change toutes les 30 secondes."
        required
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={7}
        error={props.error}
      />
      <button className="fr-btn" type="submit">
        Se connecter
      </button>
    </form>
  );
}

export function AgentEnrolmentPage(props: {
  ctx: PageContext;
  qrSvg: string;
  secret: string;
  errors?: FieldErrors;
  message?: string;
  retour?: string | undefined;
}) {
  return (
    <Layout ctx={props.ctx} title="Activer la double authentification">
      <h1>Activer la double authentification</h1>
      <ErrorSummary errors={props.errors} message={props.message} />
      <p>
        L’espace opérateur demande, après le mot de passe, un code à usage unique (TOTP). Enregistrez ce compte dans une application
        d’authentification (FreeOTP, Google Authenticator, Microsoft Authenticator, KeePassXC…) puis saisissez le premier code qu’elle
        affiche.
      </p>
      <ol>
        <li>
          <p>Scannez ce QR code avec l’application :</p>
          <div
            className="qr-code"
            role="img"
            aria-label="QR code du compte de double authentification"
            dangerouslySetInnerHTML={{ __html: props.qrSvg }}
          />
        </li>
        <li>
          <p>
            Ou saisissez la clé à la main (type : basé sur le temps, 6 chiffres, 30 secondes) :{' '}
            <code className="fr-text--lg" id="cle-totp">
              {props.secret}
            </code>
          </p>
        </li>
        <li>
          <p>Saisissez le code affiché pour confirmer :</p>
        </li>
      </ol>
      <CodeForm ctx={props.ctx} action={withReturn('/operateur/connexion/enrolement', props.retour)} error={props.errors?.code} />
    </Layout>
  );
}

export function AgentPasswordPage(props: { ctx: PageContext; jeton: string; nom: string; errors?: FieldErrors; message?: string }) {
  return (
    <Layout ctx={props.ctx} title="Choisir votre mot de passe d’agent">
      <h1>Choisir votre mot de passe d’agent</h1>
      <p>{`Compte de ${props.nom}, espace opérateur SOLTéA.`}</p>
      <ErrorSummary errors={props.errors} message={props.message} />
      <form method="post" action="/operateur/mot-de-passe" noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        <input type="hidden" name="jeton" value={props.jeton} />
        <PasswordFields errors={props.errors} />
        <button className="fr-btn" type="submit">
          Enregistrer le mot de passe
        </button>
      </form>
    </Layout>
  );
}
