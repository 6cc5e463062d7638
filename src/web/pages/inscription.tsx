import { DECLARATIONS, DOMAINS, ORGANISATION_TYPES } from '../../domain/declarations.js';
import { formatSiret } from '../../domain/identifiers.js';
import type { FieldErrors } from '../../shared/fields.js';
import type { DraftData } from '../../modules/accounts/inscription.js';

/** The stepper's labels, in the guide's words. */
const INSCRIPTION_STEPS = [
  'Vos coordonnées',
  'Conditions générales d’utilisation',
  'Identification de votre établissement',
  'Mot de passe et question secrète',
  'Vos données d’authentification',
  'Votre profil',
  'Validation de l’inscription',
] as const;

import { Alert, CheckboxGroup, CsrfField, ErrorSummary, FieldMessages, Input, RadioGroup, Stepper } from '../components/form.js';
import { payerCell, Table, yesNo } from '../components/table.js';
import { PostButton, SubmitButtons } from '../components/buttons.js';
import { EmailFields, NameFields, TelephoneField } from '../components/person-fields.js';
import { Layout, type PageContext } from '../layout.js';
import { CGU_SECTIONS, CGU_TITLE } from './cgu-text.js';
import { PasswordFields, SecretQuestionFields } from './password-fields.js';

const TITLE = 'Inscription à net-entreprises';

function Frame(props: { ctx: PageContext; step: number; children: React.ReactNode; errors?: FieldErrors; message?: string }) {
  return (
    <Layout ctx={props.ctx} title={`${INSCRIPTION_STEPS[props.step - 1]} - ${TITLE}`}>
      <h1>{TITLE}</h1>
      <Stepper current={props.step} steps={INSCRIPTION_STEPS} />
      <ErrorSummary errors={props.errors} message={props.message} />
      {props.children}
    </Layout>
  );
}

export function InscriptionStartPage(props: {
  ctx: PageContext;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
  message?: string;
}) {
  const e = props.errors ?? {};
  const v = props.values ?? {};
  return (
    <Frame ctx={props.ctx} step={1} errors={props.errors} message={props.message}>
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

export function CguPage(props: { ctx: PageContext; errors?: FieldErrors }) {
  return (
    <Frame ctx={props.ctx} step={2} errors={props.errors}>
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

export interface IdentificationView {
  siret: string;
  siren: string;
  raisonSociale: string;
  denomination: string;
  adresse: string;
  codePostal: string | null;
  libelleCommune: string | null;
  siege?: { adresse: string; codePostal: string | null; libelleCommune: string | null } | null;
}

export function IdentificationPage(props: { ctx: PageContext; etab: IdentificationView }) {
  const e = props.etab;
  return (
    <Frame ctx={props.ctx} step={3}>
      <h2 className="fr-h4">Identification de votre établissement</h2>
      <dl className="recap">
        <dt>Siret</dt>
        <dd>{formatSiret(e.siret)}</dd>
        <dt>Raison sociale</dt>
        <dd>{e.raisonSociale}</dd>
        {e.denomination !== e.raisonSociale ? (
          <>
            <dt>Enseigne</dt>
            <dd>{e.denomination}</dd>
          </>
        ) : null}
        <dt>Adresse de l’établissement</dt>
        <dd>{e.adresse || `${e.codePostal ?? ''} ${e.libelleCommune ?? ''}`}</dd>
        {e.siege ? (
          <>
            <dt>Adresse du siège</dt>
            <dd>{e.siege.adresse}</dd>
          </>
        ) : null}
      </dl>
      <Alert type="info">
        Ces informations proviennent du répertoire SIRENE et ne peuvent pas être modifiées ici. Pour les corriger, adressez-vous à votre
        centre de formalités des entreprises (CFE).
      </Alert>
      <form method="post" action="/inscription/identification">
        <CsrfField token={props.ctx.csrfToken} />
        <SubmitButtons label="Étape suivante" />
      </form>
    </Frame>
  );
}

export function PasswordPage(props: { ctx: PageContext; draft: DraftData; values?: Record<string, unknown>; errors?: FieldErrors }) {
  return (
    <Frame ctx={props.ctx} step={4} errors={props.errors}>
      <form method="post" action="/inscription/mot-de-passe" noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        <input type="hidden" id="nom" value={props.draft.nom} />
        <input type="hidden" id="prenom" value={props.draft.prenom} />
        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend">Votre mot de passe</legend>
          <div className="fr-fieldset__content" style={{ width: '100%' }}>
            <PasswordFields errors={props.errors} />
          </div>
        </fieldset>
        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend">Votre question secrète</legend>
          <div className="fr-fieldset__content" style={{ width: '100%' }}>
            <SecretQuestionFields errors={props.errors} values={props.values} />
          </div>
        </fieldset>
        <SubmitButtons label="Étape suivante" />
      </form>
    </Frame>
  );
}

export function RecapPage(props: { ctx: PageContext; draft: DraftData }) {
  const d = props.draft;
  return (
    <Frame ctx={props.ctx} step={5}>
      <h2 className="fr-h4">Vos données d’authentification</h2>
      <p>Conservez ces informations : elles vous serviront à vous connecter. Le mot de passe n’est jamais affiché ni envoyé.</p>
      <dl className="recap">
        <dt>Siret</dt>
        <dd>{formatSiret(d.siret)}</dd>
        <dt>Raison sociale</dt>
        <dd>{d.raisonSociale}</dd>
        <dt>Nom</dt>
        <dd>{d.nom}</dd>
        <dt>Prénom</dt>
        <dd>{d.prenom}</dd>
        <dt>Courriel</dt>
        <dd>{d.email}</dd>
        <dt>Téléphone</dt>
        <dd>{d.telephone}</dd>
        {d.portable ? (
          <>
            <dt>Téléphone portable</dt>
            <dd>{d.portable}</dd>
          </>
        ) : null}
        <dt>Question secrète</dt>
        <dd>{d.secretQuestion}</dd>
      </dl>
      <p className="no-print">
        <button type="button" className="fr-btn fr-btn--tertiary fr-icon-printer-line fr-btn--icon-left" data-print>
          Imprimer le récapitulatif
        </button>
      </p>
      <form method="post" action="/inscription/recapitulatif" className="no-print">
        <CsrfField token={props.ctx.csrfToken} />
        <SubmitButtons label="S’inscrire aux services net-entreprises" />
      </form>
    </Frame>
  );
}

export function ProfilePage(props: {
  ctx: PageContext;
  values?: { kind?: string; organisationType?: string; domains?: string[]; declarations?: string[] };
  errors?: FieldErrors;
}) {
  const v = props.values ?? {};
  const domains = new Set(v.domains ?? ['formation']);
  const chosen = new Set(v.declarations ?? DECLARATIONS.filter((d) => domains.has(d.domain)).map((d) => d.code));
  const e = props.errors ?? {};
  return (
    <Frame ctx={props.ctx} step={6} errors={props.errors}>
      <form method="post" action="/inscription/profil" noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        <RadioGroup
          name="kind"
          legend="Vous vous inscrivez pour…"
          required
          value={v.kind ?? 'entreprise'}
          error={e.kind}
          options={[
            { value: 'entreprise', label: 'Votre entreprise' },
            {
              value: 'tiers_declarant',
              label: 'Votre entreprise et vos clients',
              hint: 'Expert-comptable, prestataire de paie, siège social… (tiers-déclarant)',
            },
          ]}
        />
        <RadioGroup
          name="organisationType"
          legend="Vous êtes…"
          required
          value={v.organisationType}
          error={e.organisationType}
          options={ORGANISATION_TYPES.map((o) => ({ value: o.code, label: o.label }))}
        />
        <CheckboxGroup
          name="domains"
          legend="Vous souhaitez utiliser les services liés à…"
          values={[...domains]}
          error={e.domains}
          options={DOMAINS.map((d) => ({ value: d.code, label: d.label }))}
        />
        <details className="fr-mb-3w" open={Boolean(e.declarations)}>
          <summary className="fr-btn fr-btn--secondary">Modifier la liste des déclarations</summary>
          <fieldset className="fr-fieldset fr-mt-2w" id="declarations" aria-labelledby="declarations-legend declarations-messages">
            <legend className="fr-fieldset__legend" id="declarations-legend">
              Déclarations proposées pour les services choisis
            </legend>
            {DECLARATIONS.map((d) => (
              <div className="fr-fieldset__element" key={d.code} data-domain={d.domain} hidden={!domains.has(d.domain)}>
                <div className="fr-checkbox-group">
                  <input
                    type="checkbox"
                    id={`declarations-${d.code}`}
                    name="declarations"
                    value={d.code}
                    defaultChecked={chosen.has(d.code) && domains.has(d.domain)}
                  />
                  <label className="fr-label" htmlFor={`declarations-${d.code}`}>
                    {d.name}
                    <span className="fr-hint-text">{d.description}</span>
                  </label>
                </div>
              </div>
            ))}
            <FieldMessages id="declarations-messages" error={e.declarations} />
          </fieldset>
        </details>
        <SubmitButtons label="Valider" />
      </form>
    </Frame>
  );
}

export interface HabilitationRow {
  declarant: string;
  name: string;
  description: string;
  declarer: boolean;
  payer: boolean;
  payable: boolean;
}

export function ValidationPage(props: {
  ctx: PageContext;
  draft: DraftData;
  email: string;
  validated: boolean;
  rows: HabilitationRow[];
  notice?: string;
}) {
  const d = props.draft;
  return (
    <Frame ctx={props.ctx} step={7}>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      {/* The same page for a new company, a candidat AD and a triplet already taken: what differs goes by mail (docs/regles.md#comptes). */}
      <Alert type="success" title="Votre demande d’inscription est enregistrée">
        <p>
          Un courriel « Validation de votre adresse électronique » a été envoyé à <strong>{props.email}</strong>. Ouvrez le lien qu’il
          contient pour activer votre compte : aucun service n’est accessible avant.
        </p>
        <p>
          Si votre entreprise a déjà un administrateur sur net-entreprises, votre demande lui sera transmise une fois votre adresse validée
          : l’un de ses administrateurs l’accordera ou la refusera.
        </p>
        <p>
          Si une personne portant vos nom et prénom est déjà inscrite pour ce SIRET, aucun compte n’est créé et ce courriel n’est pas envoyé
          : la personne inscrite est prévenue à son adresse habituelle. Si c’est vous, utilisez « Mot de passe oublié ».
        </p>
      </Alert>
      {props.rows.length > 0 ? (
        <Table
          bordered
          caption="Les habilitations demandées"
          columns={['Déclarant', 'Déclaration', 'Déclarer', 'Payer']}
          rows={props.rows}
          row={(r) => (
            <tr key={r.name}>
              <td>{r.declarant}</td>
              <td>
                {r.name} - {r.description}
              </td>
              <td>{yesNo(r.declarer)}</td>
              <td>{payerCell(r.payable, r.payer)}</td>
            </tr>
          )}
        />
      ) : null}
      {d.kind === 'tiers_declarant' ? (
        <Alert type="info" title="Vos collaborateurs">
          <p>
            Après la validation de votre adresse, ajoutez vos collaborateurs avec « Nouveau déclarant » dans « Gérer les déclarants » de
            votre menu personnalisé, puis composez vos portefeuilles de clients.
          </p>
        </Alert>
      ) : null}
      <p>Les déclarations ajoutées sont accessibles 24 heures après leur ajout.</p>
      {!props.validated ? (
        <PostButton
          csrfToken={props.ctx.csrfToken}
          action="/inscription/renvoyer"
          className="fr-btn fr-btn--secondary"
          label="Renvoyer le courriel de validation"
        />
      ) : null}
    </Frame>
  );
}
