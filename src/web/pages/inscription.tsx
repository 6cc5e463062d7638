/** The inscription's first five steps: « Je m'inscris », the conditions, the identification, the password, the recap. */
import { formatSiret } from '../../domain/identifiers.js';
import type { FieldErrors } from '../../shared/fields.js';
import type { DraftData } from '../../modules/accounts/inscription.js';
import { Alert, CsrfField, Input } from '../components/form.js';
import { SubmitButtons } from '../components/buttons.js';
import { EmailFields, NameFields, TelephoneField } from '../components/person-fields.js';
import type { PageContext } from '../layout.js';
import { CGU_SECTIONS, CGU_TITLE } from './cgu-text.js';
import { Frame, StepForm, type StepperView } from './inscription-frame.js';
import { PasswordFields, SecretQuestionFields } from './password-fields.js';

export function InscriptionStartPage(props: {
  ctx: PageContext;
  stepper: StepperView;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
  message?: string;
}) {
  const e = props.errors ?? {};
  const v = props.values ?? {};
  return (
    <Frame ctx={props.ctx} stepper={props.stepper} errors={props.errors} message={props.message}>
      <p>Vous n’êtes pas inscrit sur net-entreprises. Les champs suivis d’un astérisque (*) sont obligatoires.</p>
      <form method="post" action="/inscription" noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        <Input
          name="siret"
          label="Siret"
          required
          inputMode="numeric"
          maxLength={20}
          validate="siret"
          value={v.siret}
          error={e.siret}
          hint="Les 14 chiffres du numéro SIRET de votre établissement (exemple : 130 025 265 00013)."
        />
        <NameFields values={v} errors={e} own />
        <ContactFields values={v} errors={e} />
        <SubmitButtons label="Je m’inscris" />
      </form>
    </Frame>
  );
}

/** The telephones and e-mail of step 1. */
function ContactFields({ values: v, errors: e }: { values: Record<string, unknown>; errors: FieldErrors }) {
  return (
    <>
      <TelephoneField values={v} errors={e} own />
      <Input
        name="portable"
        type="tel"
        label="Téléphone portable"
        autoComplete="tel"
        maxLength={20}
        validate="phone-optional"
        value={v.portable}
        error={e.portable}
        hint="Facultatif. Exemple : 06 12 34 56 78"
      />
      <EmailFields label="Courriel" hint="Un courriel de validation y sera envoyé." values={v} errors={e} own />
    </>
  );
}

export function CguPage(props: { ctx: PageContext; stepper: StepperView; errors?: FieldErrors }) {
  return (
    <Frame ctx={props.ctx} stepper={props.stepper} errors={props.errors}>
      <h2 className="fr-h4">{CGU_TITLE}</h2>
      <div
        className="fr-mb-3w"
        tabIndex={0}
        style={{ maxHeight: '24rem', overflow: 'auto', border: '1px solid var(--border-default-grey)', padding: '1rem' }}
        role="region"
        aria-label="Texte des conditions générales"
      >
        {CGU_SECTIONS.map((s) => (
          <section key={s.title}>
            <h3 className="fr-h6">{s.title}</h3>
            <p>{s.text}</p>
          </section>
        ))}
      </div>
      <p>
        <a className="fr-link fr-icon-download-line fr-link--icon-left" href="/conditions-generales/telecharger" download>
          Télécharger les conditions générales (texte, 3 Ko)
        </a>
      </p>
      <form method="post" action="/inscription/conditions">
        <CsrfField token={props.ctx.csrfToken} />
        <SubmitButtons label="J’accepte" secondary={{ label: 'Je refuse', submit: true, name: 'decision', value: 'refuse' }} />
        <input type="hidden" name="decision" value="accepte" />
      </form>
    </Frame>
  );
}

/** A postal address of the registry, on its lines. */
export interface AddressView {
  adresse: string;
  codePostal: string | null;
  libelleCommune: string | null;
}

export interface IdentificationView {
  siret: string;
  raisonSociale: string;
  denomination: string;
  /** the establishment's address (SIRENE) */
  principale: AddressView;
  /** where the company's mail goes: its siège's address (SIRENE) */
  correspondance: AddressView;
}

function Address({ a }: { a: AddressView }) {
  const town = [a.codePostal, a.libelleCommune].filter(Boolean).join(' ');
  return (
    <address style={{ fontStyle: 'normal' }}>
      {a.adresse && !a.adresse.includes(town) ? (
        <>
          {a.adresse}
          <br />
          {town}
        </>
      ) : (
        a.adresse || town
      )}
    </address>
  );
}

/** One « label : value » of the recap and identification pages. */
function Item(props: { term: string; children: React.ReactNode }) {
  return (
    <div className="fr-col-12 fr-col-md-6">
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

/** « Identification de votre établissement »: « Vos coordonnées » and « Votre établissement de rattachement », read only. */
export function IdentificationPage(props: { ctx: PageContext; stepper: StepperView; draft: DraftData; etab: IdentificationView }) {
  const e = props.etab;
  const d = props.draft;
  return (
    <Frame ctx={props.ctx} stepper={props.stepper}>
      <h2 className="fr-h4">Identification de votre établissement</h2>
      <h3 className="fr-h6">Vos coordonnées</h3>
      <dl className="recap fr-grid-row fr-grid-row--gutters">
        <Item term="Nom">{d.nom}</Item>
        <Item term="Prénom">{d.prenom}</Item>
        <Item term="Tél. fixe">{d.telephone}</Item>
        <Item term="Tél. portable">{d.portable || 'Non renseigné'}</Item>
        <Item term="Adresse électronique">{d.email}</Item>
      </dl>
      <h3 className="fr-h6">Votre établissement de rattachement</h3>
      <dl className="recap fr-grid-row fr-grid-row--gutters">
        <Item term="Siret">{formatSiret(e.siret)}</Item>
        <Item term="Raison sociale">{e.raisonSociale}</Item>
        {e.denomination !== e.raisonSociale ? <Item term="Enseigne">{e.denomination}</Item> : null}
        <Item term="Votre adresse principale">
          <Address a={e.principale} />
        </Item>
        <Item term="Votre adresse de correspondance">
          <Address a={e.correspondance} />
        </Item>
      </dl>
      <StepForm csrfToken={props.ctx.csrfToken} step="identification" submit="Étape suivante" action="/inscription/identification" />
      <Alert type="info">
        NB : Si vous constatez des erreurs dans l’adresse postale ou la raison sociale, contactez directement votre Centre de Formalité des
        Entreprises (CFE). Une fois les mises à jour effectuées par votre CFE, celles-ci seront automatiquement reportées sur
        Net-Entreprises.
      </Alert>
    </Frame>
  );
}

/** « Créez votre mot de passe » and « Renseignez votre question secrète », then « Valider » (the guide). */
export function PasswordPage(props: {
  ctx: PageContext;
  stepper: StepperView;
  draft: DraftData;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
}) {
  return (
    <Frame ctx={props.ctx} stepper={props.stepper} errors={props.errors}>
      <StepForm csrfToken={props.ctx.csrfToken} step="password" submit="Valider" action="/inscription/mot-de-passe" noValidate>
        <input type="hidden" id="nom" value={props.draft.nom} />
        <input type="hidden" id="prenom" value={props.draft.prenom} />
        <h2 className="fr-h4">Créez votre mot de passe</h2>
        <p className="fr-text--sm">
          Le mot de passe respecte la casse (majuscules et minuscules). Les critères suivis d’un astérisque (*) sont obligatoires.
        </p>
        <PasswordFields errors={props.errors} confirmLabel="Confirmation" />
        <h2 className="fr-h4 fr-mt-4w">Renseignez votre question secrète</h2>
        <p>
          En cas de perte ou d’oubli de votre mot de passe, la question secrète vous permettra à tout moment de le modifier. Pour cela,
          saisissez le couple de question (10 caractères minimum) / réponse (5 caractères minimum) et validez.
        </p>
        <SecretQuestionFields
          errors={props.errors}
          values={props.values}
          questionLabel="Veuillez saisir une question"
          answerLabel="Veuillez saisir une réponse"
        />
      </StepForm>
    </Frame>
  );
}

/** « Vos données d'authentification »: what the person will sign in with (never the password itself). */
export function RecapPage(props: { ctx: PageContext; stepper: StepperView; draft: DraftData }) {
  const d = props.draft;
  return (
    <Frame ctx={props.ctx} stepper={props.stepper}>
      <h2 className="fr-h4">Vos données d’authentification</h2>
      <h3 className="fr-h6">Données d’authentification</h3>
      <p>Voici vos données d’authentification pour accéder à net-entreprises.</p>
      <dl className="recap fr-grid-row fr-grid-row--gutters">
        <Item term="Siret">{formatSiret(d.siret)}</Item>
        <Item term="Raison sociale">{d.raisonSociale}</Item>
        <Item term="Nom">{d.nom}</Item>
        <Item term="Prénom">{d.prenom}</Item>
        <Item term="Mot de passe">Celui que vous venez de choisir (il n’est jamais affiché ni envoyé)</Item>
        <Item term="Courriel">{d.email}</Item>
      </dl>
      <h3 className="fr-h6">Question secrète</h3>
      <p>En cas de perte de votre mot de passe, vous devrez répondre à la question suivante.</p>
      <dl className="recap fr-grid-row fr-grid-row--gutters">
        <Item term="Question secrète">{d.secretQuestion}</Item>
        <Item term="Réponse secrète">Celle que vous venez de saisir (elle n’est jamais affichée)</Item>
      </dl>
      <p className="no-print">
        <button type="button" className="fr-btn fr-btn--tertiary fr-icon-printer-line fr-btn--icon-left" data-print>
          Imprimer le récapitulatif
        </button>
      </p>
      <StepForm
        csrfToken={props.ctx.csrfToken}
        step="recap"
        submit="S’inscrire aux services Net-Entreprises"
        action="/inscription/recapitulatif"
        className="no-print"
      />
    </Frame>
  );
}
