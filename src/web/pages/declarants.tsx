import type { FieldErrors } from '../../shared/fields.js';
import { Alert, CsrfField, ErrorSummary } from '../components/form.js';
import { Table } from '../components/table.js';
import { DownloadLink, PostButton, SubmitButtons } from '../components/buttons.js';
import { EmailFields, NameFields, TelephoneField } from '../components/person-fields.js';
import { Layout, type PageContext } from '../layout.js';

export interface DeclarantRow {
  id: string;
  nom: string;
  prenom: string;
  email: string;
  telephone?: string;
  role: string;
  status: string;
  /** « Actif », « Invitation envoyée », « Suspendu », « Demande en attente » */
  etat: string;
  self: boolean;
}

const LIST = { href: '/gestion/declarants', label: 'Gérer les déclarants' };
const MENU = { href: '/menu', label: 'Menu personnalisé' };

function LinePostButton(props: { ctx: PageContext; action: string; label: string; ariaLabel: string }) {
  return (
    <PostButton
      csrfToken={props.ctx.csrfToken}
      action={props.action}
      label={props.label}
      ariaLabel={props.ariaLabel}
      className="fr-btn fr-btn--sm fr-btn--secondary"
      formClassName="fr-mb-1v"
    />
  );
}

function LinkButton(props: { href: string; label: string; ariaLabel: string }) {
  return (
    <a className="fr-btn fr-btn--sm fr-btn--tertiary fr-mb-1v" href={props.href} aria-label={props.ariaLabel}>
      {props.label}
    </a>
  );
}

/** One person of the company: their information, their state and the buttons for them. */
function DeclarantLine(props: { ctx: PageContext; row: DeclarantRow }) {
  const r = props.row;
  return (
    <tr>
      <th scope="row">{r.nom}</th>
      <td>{r.prenom}</td>
      <td>{r.email}</td>
      <td>{r.telephone ?? ''}</td>
      <td>{r.role === 'administrateur' ? 'Administrateur' : 'Déclarant'}</td>
      <td>
        {r.etat}
        {r.self ? <span className="fr-hint-text">(vous)</span> : null}
      </td>
      <td>
        {r.status !== 'candidat' ? (
          <DeclarantButtons ctx={props.ctx} row={r} />
        ) : (
          <a className="fr-link fr-text--sm" href="/menu/demandes">
            Voir la demande
          </a>
        )}
      </td>
    </tr>
  );
}

/** What the administrator can do for a person (not all of it for themselves). */
function DeclarantButtons(props: { ctx: PageContext; row: DeclarantRow }) {
  const r = props.row;
  const who = `${r.prenom} ${r.nom}`;
  const url = (action: string) => `/gestion/declarants/${r.id}/${action}`;
  return (
    <>
      <LinkButton href={url('modifier')} label="Modifier" ariaLabel={`Modifier ${who}`} />
      {r.self || r.role !== 'administrateur' ? (
        <LinkButton href={url('courriel')} label="Changer le courriel" ariaLabel={`Changer le courriel de ${who}`} />
      ) : null}
      {!r.self && r.status === 'suspended' ? (
        <LinePostButton ctx={props.ctx} action={url('reactiver')} label="Réactiver" ariaLabel={`Réactiver ${who}`} />
      ) : null}
      {!r.self && r.status !== 'suspended' ? (
        <LinePostButton ctx={props.ctx} action={url('suspendre')} label="Suspendre" ariaLabel={`Suspendre ${who}`} />
      ) : null}
      {!r.self ? <LinkButton href={url('supprimer')} label="Supprimer" ariaLabel={`Supprimer ${who}`} /> : null}
      {!r.self && r.status === 'email_pending' ? (
        <LinePostButton
          ctx={props.ctx}
          action={url('invitation')}
          label="Renvoyer l’invitation"
          ariaLabel={`Renvoyer l’invitation de ${who}`}
        />
      ) : null}
      {!r.self && r.status === 'active' ? (
        <LinePostButton
          ctx={props.ctx}
          action={url('reinitialiser')}
          label="Réinitialiser le mot de passe"
          ariaLabel={`Réinitialiser le mot de passe de ${who}`}
        />
      ) : null}
    </>
  );
}

/** « Gérer les déclarants »: the people of the company and what the administrator can do for each. */
export function DeclarantsPage(props: { ctx: PageContext; rows: DeclarantRow[]; notice?: string }) {
  return (
    <Layout ctx={props.ctx} title="Gérer les déclarants" breadcrumb={[MENU]} wide>
      <h1>Gérer les déclarants</h1>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      <p>
        Ajoutez les collaborateurs qui déclarent pour votre entreprise : chacun reçoit un courriel pour choisir son mot de passe et sa
        question secrète. Donnez-leur ensuite des droits avec « Gérer les habilitations ».
      </p>
      <p>
        <a className="fr-btn fr-icon-add-line fr-btn--icon-left" href="/gestion/declarants/nouveau">
          Nouveau déclarant
        </a>
      </p>
      <Table
        bordered
        caption="Les personnes de votre entreprise"
        columns={['Nom', 'Prénom', 'Courriel', 'Téléphone', 'Rôle', 'État', 'Actions']}
        rows={props.rows}
        row={(r) => <DeclarantLine key={r.id} ctx={props.ctx} row={r} />}
      />
      <DownloadLink href="/gestion/declarants.csv" label="Exporter la liste des déclarants (CSV)" />
    </Layout>
  );
}

function Buttons(props: { label: string }) {
  return <SubmitButtons label={props.label} secondary={{ label: 'Annuler', href: '/gestion/declarants' }} />;
}

/** « Ajout d'un déclarant » (new) or « Modifier un déclarant » (edit: no e-mail here). */
export function DeclarantFormPage(props: {
  ctx: PageContext;
  mode: 'new' | 'edit';
  id?: string;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
}) {
  const e = props.errors ?? {};
  const v = props.values ?? {};
  const title = props.mode === 'new' ? 'Ajout d’un déclarant' : 'Modifier un déclarant';
  return (
    <Layout ctx={props.ctx} title={title} breadcrumb={[MENU, LIST]}>
      <h1>{title}</h1>
      <ErrorSummary errors={props.errors} />
      <p>Les champs suivis d’un astérisque (*) sont obligatoires.</p>
      {props.mode === 'new' ? (
        <p>
          Le déclarant recevra un courriel pour choisir son mot de passe et sa question secrète. Il se connectera avec le SIRET de votre
          entreprise, son nom et son prénom.
        </p>
      ) : (
        <p>Le nom et le prénom servent à la connexion : s’ils changent, la personne en est prévenue.</p>
      )}
      <form
        method="post"
        action={props.mode === 'new' ? '/gestion/declarants/nouveau' : `/gestion/declarants/${props.id}/modifier`}
        noValidate
      >
        <CsrfField token={props.ctx.csrfToken} />
        <NameFields values={v} errors={e} own={false} />
        {props.mode === 'new' ? (
          <EmailFields label="Courriel" hint="L’invitation y sera envoyée." values={v} errors={e} own={false} />
        ) : null}
        <TelephoneField values={v} errors={e} own={false} />
        <Buttons label={props.mode === 'new' ? 'Valider' : 'Enregistrer'} />
      </form>
    </Layout>
  );
}

/** « Changer le courriel » of a person: validated by a link sent to the new address. */
export function DeclarantEmailPage(props: {
  ctx: PageContext;
  person: { id: string; nom: string; prenom: string; email: string; invited: boolean };
  values?: Record<string, unknown>;
  errors?: FieldErrors;
}) {
  const e = props.errors ?? {};
  const v = props.values ?? {};
  const p = props.person;
  return (
    <Layout ctx={props.ctx} title="Changer le courriel" breadcrumb={[MENU, LIST]}>
      <h1>Changer le courriel</h1>
      <ErrorSummary errors={props.errors} />
      <p>
        Adresse actuelle de {p.prenom} {p.nom} : <strong>{p.email}</strong>
      </p>
      <p>
        {p.invited
          ? 'L’invitation sera renvoyée à la nouvelle adresse ; le lien envoyé à l’ancienne ne fonctionnera plus.'
          : 'Un lien de validation sera envoyé à la nouvelle adresse : elle remplacera l’ancienne une fois validée.'}
      </p>
      <form method="post" action={`/gestion/declarants/${p.id}/courriel`} noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        <EmailFields label="Nouveau courriel" values={v} errors={e} own={false} />
        <Buttons label="Valider" />
      </form>
    </Layout>
  );
}

/** Confirmation before « Supprimer ». */
export function RemoveDeclarantPage(props: { ctx: PageContext; person: { id: string; nom: string; prenom: string; email: string } }) {
  const p = props.person;
  return (
    <Layout ctx={props.ctx} title="Supprimer un déclarant" breadcrumb={[MENU, LIST]}>
      <h1>Supprimer un déclarant</h1>
      <Alert type="warning" title={`Supprimer ${p.prenom} ${p.nom} ?`}>
        <p>
          {p.prenom} {p.nom} ({p.email}) ne pourra plus se connecter pour votre entreprise ; ses sessions ouvertes sont fermées et ses
          habilitations sont retirées. Cette action est définitive.
        </p>
      </Alert>
      <form method="post" action={`/gestion/declarants/${p.id}/supprimer`}>
        <CsrfField token={props.ctx.csrfToken} />
        <Buttons label="Confirmer la suppression" />
      </form>
    </Layout>
  );
}
