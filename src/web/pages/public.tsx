import type { FieldErrors } from '../../shared/fields.js';
import { Alert, CsrfField, ErrorSummary, Input } from '../components/form.js';
import { ButtonsGroup, PostButton } from '../components/buttons.js';
import { Layout, type PageContext } from '../layout.js';
import { EntryTile } from './soltea-accueil.js';

export function LoginForm(props: { ctx: PageContext; values?: Record<string, unknown>; errors?: FieldErrors; retour?: string }) {
  const e = props.errors ?? {};
  return (
    <form method="post" action="/connexion" noValidate>
      <CsrfField token={props.ctx.csrfToken} />
      {props.retour ? <input type="hidden" name="retour" value={props.retour} /> : null}
      <Input
        name="siret"
        label="Siret"
        required
        inputMode="numeric"
        autoComplete="username"
        maxLength={20}
        value={props.values?.siret}
        error={e.siret}
        hint="14 chiffres"
      />
      <Input name="nom" label="Nom" required autoComplete="family-name" maxLength={50} value={props.values?.nom} error={e.nom} />
      <Input name="prenom" label="Prénom" required autoComplete="given-name" maxLength={50} value={props.values?.prenom} error={e.prenom} />
      <Input
        name="password"
        type="password"
        label="Mot de passe"
        required
        autoComplete="current-password"
        maxLength={20}
        error={e.password}
      />
      <ButtonsGroup className="fr-btns-group--inline-md" buttons={[{ label: 'Je me connecte', submit: true }]} />
      <p>
        <a className="fr-link fr-icon-arrow-right-line fr-link--icon-right" href="/mot-de-passe-oublie">
          Mot de passe oublié
        </a>
      </p>
    </form>
  );
}

export function HomePage(props: { ctx: PageContext; notice?: string }) {
  return (
    <Layout ctx={props.ctx} title="Accueil" wide>
      <h1>net-entreprises et SOLTéA</h1>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      <p className="fr-text--lead">
        Toutes les entreprises et leurs mandataires déclarent ici leurs cotisations sociales et, avec SOLTéA, répartissent le solde de la
        taxe d’apprentissage entre les établissements habilités.
      </p>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <div className="fr-card fr-p-3w">
            <h2>Se connecter à net-entreprises</h2>
            <p>Utilisez vos identifiants et votre mot de passe.</p>
            <LoginForm ctx={props.ctx} />
          </div>
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <div className="fr-card fr-p-3w">
            <h2>S’inscrire sur net-entreprises</h2>
            <p>
              L’inscription et l’utilisation de net-entreprises sont entièrement gratuites. Munissez-vous du numéro SIRET de votre
              établissement.
            </p>
            <p>
              <a className="fr-btn fr-btn--secondary" href="/inscription">
                Je crée mon compte net-entreprises
              </a>
            </p>
            <h3 className="fr-h6">Qu’est-ce que SOLTéA ?</h3>
            <p>
              SOLTéA est le service en ligne dédié aux employeurs redevables du solde de la taxe d’apprentissage et aux établissements
              habilités à le percevoir. Après l’inscription, l’administrateur ajoute la déclaration « SOLTéA - Employeurs » ou « SOLTéA -
              Etablissements » ; le service est accessible 24 heures plus tard.
            </p>
          </div>
        </div>
      </div>
      <SolteaPublic />
    </Layout>
  );
}

/** What anyone may consult of SOLTéA without an account: the habilitated establishments and the campaign's calendar. */
function SolteaPublic() {
  return (
    <section className="fr-mt-4w" aria-labelledby="soltea-public">
      <h2 id="soltea-public">SOLTéA sans compte</h2>
      <div className="fr-grid-row fr-grid-row--gutters">
        {[
          {
            href: '/soltea/recherche',
            title: 'Recherche établissement',
            desc: 'Trouvez un établissement habilité à percevoir le solde de la taxe d’apprentissage, par son nom, son SIRET, son code UAI, sa ville ou ses formations.',
          },
          {
            href: '/soltea/calendrier',
            title: 'Calendrier de la campagne',
            desc: 'Les dates de la campagne en cours : ouverture aux établissements et aux employeurs, périodes de répartition, versements.',
          },
        ].map((t) => (
          <EntryTile key={t.href} {...t} />
        ))}
      </div>
    </section>
  );
}

/** What a login page shows again: the values typed, the refusal, a notice, where to go back after. */
export interface LoginFormProps {
  ctx: PageContext;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
  message?: string;
  notice?: string;
  retour?: string;
}

export function LoginPage(props: LoginFormProps & { resendFor?: string }) {
  return (
    <Layout ctx={props.ctx} title="Connexion">
      <h1>Se connecter à net-entreprises</h1>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      <ErrorSummary errors={props.errors} message={props.message} />
      {props.resendFor ? (
        <PostButton
          csrfToken={props.ctx.csrfToken}
          action="/validation-courriel/renvoyer"
          formClassName="fr-mb-3w"
          fields={{ demande: props.resendFor }}
          className="fr-btn fr-btn--secondary"
          label="Renvoyer le courriel de validation"
        />
      ) : null}
      <LoginForm ctx={props.ctx} values={props.values} errors={props.errors} retour={props.retour} />
      <p>
        Pas encore inscrit ?{' '}
        <a className="fr-link" href="/inscription">
          Je crée mon compte
        </a>
      </p>
    </Layout>
  );
}

export function MessagePage(props: {
  ctx: PageContext;
  title: string;
  type?: 'success' | 'info' | 'warning' | 'error';
  children: React.ReactNode;
  status?: number;
}) {
  return (
    <Layout ctx={props.ctx} title={props.title}>
      <h1>{props.title}</h1>
      <Alert type={props.type ?? 'info'}>{props.children}</Alert>
      <p>
        <a className="fr-link" href={props.ctx.viewer ? '/menu' : '/'}>
          {props.ctx.viewer ? 'Retour au menu personnalisé' : 'Retour à l’accueil'}
        </a>
      </p>
    </Layout>
  );
}
