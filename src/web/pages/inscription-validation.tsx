/**
 * The inscription's last steps: « Inscription des déclarants » and « Ajout d'un déclarant » (tiers-
 * déclarants), « Validation de l'inscription » with « Valider l'inscription », the page that follows,
 * and the confirmation of « Abandonner l'inscription ».
 */
import type { DraftData, DraftDeclarant } from '../../modules/accounts/inscription.js';
import type { FieldErrors } from '../../shared/fields.js';
import { formatSiret } from '../../domain/identifiers.js';
import { BackAndSubmit, PostButton } from '../components/buttons.js';
import { Alert, CsrfField } from '../components/form.js';
import { EmailFields, NameFields, TelephoneField } from '../components/person-fields.js';
import { payerCell, Table, yesNo } from '../components/table.js';
import type { PageContext } from '../layout.js';
import { Frame, StepForm, type StepperView } from './inscription-frame.js';

/** « Inscription des déclarants »: the registrant, the collaborators added, « Nouveau déclarant ». */
export function DeclarantsPage(props: { ctx: PageContext; stepper: StepperView; draft: DraftData; errors?: FieldErrors }) {
  const d = props.draft;
  const added = d.declarants ?? [];
  return (
    <Frame ctx={props.ctx} stepper={props.stepper} errors={props.errors}>
      <h2 className="fr-h4">Inscription des déclarants</h2>
      <p>
        Vous avez la possibilité d’ajouter de nouveaux collaborateurs en cliquant sur « Nouveau déclarant » et en renseignant les
        informations demandées. Ils recevront une invitation par courriel une fois votre adresse électronique validée.
      </p>
      <p>
        <a className="fr-btn fr-btn--secondary fr-icon-add-line fr-btn--icon-left" href="/inscription/declarants/nouveau">
          Nouveau déclarant
        </a>
      </p>
      <Table
        bordered
        caption="Les déclarants de votre entreprise"
        columns={['Nom', 'Prénom', 'Courriel', 'Rôle', 'Action']}
        rows={[{ ...d, role: 'Administrateur' }, ...added.map((p) => ({ ...p, role: 'Déclarant' }))]}
        row={(p, i) => (
          <tr key={i}>
            <td>{p.nom}</td>
            <td>{p.prenom}</td>
            <td>{p.email}</td>
            <td>{p.role}</td>
            <td>
              {i === 0 ? null : (
                <PostButton
                  csrfToken={props.ctx.csrfToken}
                  action="/inscription/declarants/supprimer"
                  fields={{ rang: String(i - 1) }}
                  className="fr-btn fr-btn--sm fr-btn--tertiary"
                  label="Supprimer"
                  ariaLabel={`Supprimer ${p.prenom} ${p.nom}`}
                />
              )}
            </td>
          </tr>
        )}
      />
      <StepForm csrfToken={props.ctx.csrfToken} step="declarants" submit="Étape suivante" action="/inscription/declarants" />
    </Frame>
  );
}

/** « Ajout d'un déclarant »: the collaborator's names, e-mail and telephone; « Annuler » or « Valider ». */
export function DeclarantFormPage(props: {
  ctx: PageContext;
  stepper: StepperView;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
}) {
  const v = props.values ?? {};
  const e = props.errors ?? {};
  return (
    <Frame ctx={props.ctx} stepper={props.stepper} errors={props.errors}>
      <h2 className="fr-h4">Ajout d’un déclarant</h2>
      <p>Les champs suivis d’un astérisque (*) sont obligatoires.</p>
      <form method="post" action="/inscription/declarants/nouveau" noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        <NameFields values={v} errors={e} own={false} />
        <EmailFields label="Courriel" hint="L’invitation y sera envoyée." values={v} errors={e} own={false} />
        <TelephoneField values={v} errors={e} own={false} />
        <BackAndSubmit className="fr-btns-group--inline-md fr-mt-3w" back="/inscription/declarants" backLabel="Annuler" submit="Valider" />
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

/** The rights asked for, read only (the confirmation and the page after it). */
function RightsTable(props: { rows: readonly HabilitationRow[]; caption: string }) {
  return (
    <Table
      bordered
      caption={props.caption}
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
  );
}

/** « Validation de l'inscription »: what will be registered, then « Valider l'inscription ». */
export function ConfirmationPage(props: {
  ctx: PageContext;
  stepper: StepperView;
  draft: DraftData;
  profile: { kind: string; organisationType: string };
  rows: readonly HabilitationRow[];
}) {
  const d = props.draft;
  const declarants: DraftDeclarant[] = d.declarants ?? [];
  return (
    <Frame ctx={props.ctx} stepper={props.stepper}>
      <h2 className="fr-h4">Validation de l’inscription</h2>
      <p>Vérifiez votre inscription, puis cliquez sur « Valider l’inscription ».</p>
      <dl className="recap">
        <dt>Nom de l’entreprise</dt>
        <dd>{d.raisonSociale}</dd>
        <dt>Siret</dt>
        <dd>{formatSiret(d.siret)}</dd>
        <dt>Vous souhaitez utiliser Net-Entreprises pour...</dt>
        <dd>{props.profile.kind}</dd>
        <dt>Vous êtes...</dt>
        <dd>{props.profile.organisationType}</dd>
      </dl>
      <RightsTable rows={props.rows} caption="Les habilitations demandées" />
      {props.stepper.tiers ? (
        <Table
          bordered
          caption="Les déclarants ajoutés"
          columns={['Nom', 'Prénom', 'Courriel']}
          rows={declarants}
          empty="Aucun déclarant ajouté."
          row={(p, i) => (
            <tr key={i}>
              <td>{p.nom}</td>
              <td>{p.prenom}</td>
              <td>{p.email}</td>
            </tr>
          )}
        />
      ) : null}
      <StepForm csrfToken={props.ctx.csrfToken} step="confirmation" submit="Valider l’inscription" action="/inscription/confirmation" />
    </Frame>
  );
}

/** The confirmation « Abandonner l'inscription » asks for: everything entered is deleted. */
export function AbandonPage(props: { ctx: PageContext; resume: string }) {
  return (
    <Frame ctx={props.ctx} title="Abandonner l’inscription">
      <h2 className="fr-h4">Abandonner l’inscription ?</h2>
      <p>Si vous abandonnez, les informations que vous avez saisies sont effacées : il faudra recommencer l’inscription depuis le début.</p>
      <form method="post" action="/inscription/abandonner">
        <CsrfField token={props.ctx.csrfToken} />
        <BackAndSubmit
          className="fr-btns-group--inline-md fr-mt-3w"
          back={props.resume}
          backLabel="Poursuivre l’inscription"
          submit="Abandonner l’inscription"
        />
      </form>
    </Frame>
  );
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
    <Frame ctx={props.ctx} title="Votre demande d’inscription est enregistrée">
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
      {props.rows.length > 0 ? <RightsTable rows={props.rows} caption="Les habilitations demandées" /> : null}
      {d.kind === 'tiers_declarant' ? (
        <Alert type="info" title="Vos collaborateurs">
          <p>
            Les déclarants que vous avez ajoutés reçoivent leur invitation une fois votre adresse validée. Ajoutez-en d’autres avec «
            Nouveau déclarant » dans « Gérer les déclarants » de votre menu personnalisé, puis composez vos portefeuilles de clients.
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
