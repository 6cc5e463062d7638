/**
 * « Présentation et contacts » of the establishment space: the presentation, the contacts and the
 * websites shown on the public fiche, each contact / site added, modified or removed on its own page.
 * The limits of the fiche (lengths, numbers of lines, suggested functions) come with the view.
 */
import type { ReactNode } from 'react';
import type { FicheLimits, Profil } from '../../modules/espace-etablissement/profil.js';
import type { FieldErrors } from '../../shared/fields.js';
import { CsrfField, ErrorSummary, Inputs, type InputSpec } from '../components/form.js';
import type { PageContext } from '../layout.js';
import { SpaceFrame, spaceUrl, type SpaceHeader } from './soltea-etablissement.js';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

// ── the page ────────────────────────────────────────────────────────────────────────────────────

function PresentationForm(props: { csrfToken: string; action: string; value: string; max: number; error?: string }) {
  const err = props.error;
  return (
    <form method="post" action={props.action} noValidate>
      <CsrfField token={props.csrfToken} />
      <div className={`fr-input-group ${err ? 'fr-input-group--error' : ''}`}>
        <label className="fr-label" htmlFor="presentation">
          Présentation de l’établissement
          <span
            className="fr-hint-text"
            id="presentation-hint"
          >{`Vos formations, vos projets, ce que la taxe d’apprentissage finance chez vous. ${props.max} caractères au maximum ; une ligne vide sépare deux paragraphes.`}</span>
        </label>
        <textarea
          className={`fr-input ${err ? 'fr-input--error' : ''}`}
          id="presentation"
          name="presentation"
          rows={8}
          maxLength={props.max}
          defaultValue={props.value}
          aria-describedby="presentation-hint presentation-messages"
          aria-invalid={err ? true : undefined}
          data-counter="presentation-compteur"
        />
        <div className="fr-messages-group" id="presentation-messages" aria-live="polite">
          {err ? <p className="fr-message fr-message--error">{err}</p> : null}
        </div>
        <p className="fr-text--xs fr-mb-0" id="presentation-compteur">{`${props.value.length} / ${props.max} caractères`}</p>
      </div>
      <button type="submit" className="fr-btn">
        Enregistrer la présentation
      </button>
    </form>
  );
}

/** « Modifier » and, when allowed, « Supprimer » for the line at `href`. */
function LineActions(props: { href: string; label: string; removable: boolean }) {
  return (
    <ul className="fr-btns-group fr-btns-group--sm fr-btns-group--inline">
      <li>
        <a className="fr-btn fr-btn--sm fr-btn--secondary" href={props.href} aria-label={`Modifier ${props.label}`}>
          Modifier
        </a>
      </li>
      {props.removable ? (
        <li>
          <a className="fr-btn fr-btn--sm fr-btn--tertiary" href={`${props.href}/supprimer`} aria-label={`Supprimer ${props.label}`}>
            Supprimer
          </a>
        </li>
      ) : null}
    </ul>
  );
}

function ContactsTable(props: { siret: string; contacts: Profil['contacts'] }) {
  const contacts = props.contacts;
  if (contacts.length === 0)
    return (
      <div className="fr-alert fr-alert--warning fr-alert--sm fr-mb-2w" role="status">
        <p>Aucun contact n’est renseigné : ajoutez au moins un contact, par exemple le responsable des relations avec les entreprises.</p>
      </div>
    );
  return (
    <div className="fr-table">
      <table>
        <caption className="fr-sr-only">Contacts de l’établissement</caption>
        <thead>
          <tr>
            <th scope="col">Fonction</th>
            <th scope="col">Nom</th>
            <th scope="col">Courriel</th>
            <th scope="col">Téléphone</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {contacts.map((c, i) => (
            <tr key={i}>
              <th scope="row">{c.fonction}</th>
              <td>{c.nom}</td>
              <td>{c.courriel}</td>
              <td>{c.telephone}</td>
              <td>
                <LineActions
                  href={`${spaceUrl(props.siret)}/contacts/${i + 1}`}
                  label={`le contact ${c.fonction} - ${c.nom}`}
                  removable={contacts.length > 1}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SitesTable(props: { siret: string; sites: Profil['sites'] }) {
  if (props.sites.length === 0) return <p>Aucun site internet n’est renseigné.</p>;
  return (
    <div className="fr-table">
      <table>
        <caption className="fr-sr-only">Sites internet de l’établissement</caption>
        <thead>
          <tr>
            <th scope="col">Libellé</th>
            <th scope="col">Adresse</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.sites.map((s, i) => (
            <tr key={i}>
              <th scope="row">{s.libelle}</th>
              <td style={{ wordBreak: 'break-all' }}>{s.url}</td>
              <td>
                <LineActions href={`${spaceUrl(props.siret)}/sites/${i + 1}`} label={`le site ${s.libelle}`} removable />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** « Ajouter … » while the list has room, else the maximum reached. */
function AddLine(props: { count: number; max: number; href: string; label: string; full: string }) {
  return props.count < props.max ? (
    <p>
      <a className="fr-btn fr-btn--secondary fr-icon-add-line fr-btn--icon-left" href={props.href}>
        {props.label}
      </a>
    </p>
  ) : (
    <p>{props.full}</p>
  );
}

export function PresentationPage(props: {
  ctx: PageContext;
  head: SpaceHeader;
  profil: Profil;
  limits: FicheLimits;
  notice?: string;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
}) {
  const { profil: p, head: h, limits } = props;
  return (
    <SpaceFrame ctx={props.ctx} head={h} tab="presentation" title="Présentation et contacts" notice={props.notice}>
      <p>
        Ce que vous écrivez ici figure sur la{' '}
        <a className="fr-link" href={`/soltea/etablissements/${h.siret}`}>
          fiche publique de l’établissement
        </a>
        , que les employeurs consultent avant de choisir à qui attribuer le solde de leur taxe d’apprentissage.
      </p>
      <ErrorSummary errors={props.errors} />
      <h2>Présentation</h2>
      <PresentationForm
        csrfToken={props.ctx.csrfToken}
        action={spaceUrl(h.siret, 'presentation')}
        value={props.values ? str(props.values.presentation) : p.presentation}
        max={limits.presentation}
        error={props.errors?.presentation}
      />
      <h2 className="fr-mt-5w">Contacts</h2>
      <ContactsTable siret={h.siret} contacts={p.contacts} />
      <AddLine
        count={p.contacts.length}
        max={limits.contacts}
        href={`${spaceUrl(h.siret)}/contacts/nouveau`}
        label="Ajouter un contact"
        full={`La fiche compte ${limits.contacts} contacts, le maximum.`}
      />
      <h2 className="fr-mt-5w">Sites internet</h2>
      <SitesTable siret={h.siret} sites={p.sites} />
      <AddLine
        count={p.sites.length}
        max={limits.sites}
        href={`${spaceUrl(h.siret)}/sites/nouveau`}
        label="Ajouter un site internet"
        full={`La fiche compte ${limits.sites} sites, le maximum.`}
      />
    </SpaceFrame>
  );
}

// ── one line: add, modify, remove ───────────────────────────────────────────────────────────────

const crumb = (h: SpaceHeader) => [{ href: spaceUrl(h.siret, 'presentation'), label: 'Présentation et contacts' }];

/** The submit button and « Annuler » (back to the page). */
function FormButtons(props: { siret: string; submit: string }) {
  return (
    <ul className="fr-btns-group fr-btns-group--inline-md">
      <li>
        <button type="submit" className="fr-btn">
          {props.submit}
        </button>
      </li>
      <li>
        <a className="fr-btn fr-btn--secondary" href={spaceUrl(props.siret, 'presentation')}>
          Annuler
        </a>
      </li>
    </ul>
  );
}

/** The page of one line's form: the frame, the refusal, the form with its version, the buttons. */
function LineFormPage(props: {
  ctx: PageContext;
  head: SpaceHeader;
  title: string;
  action: string;
  version: string;
  submit: string;
  errors?: FieldErrors;
  message?: string;
  /** what the page says before the form */
  intro?: ReactNode;
  /** the fields of the form (checked by the server: the browser does not validate) */
  fields?: ReactNode;
}) {
  const h = props.head;
  return (
    <SpaceFrame ctx={props.ctx} head={h} tab="presentation" title={props.title} breadcrumbExtra={crumb(h)}>
      <ErrorSummary errors={props.errors} message={props.message} />
      {props.intro}
      <form method="post" action={props.action} noValidate={props.fields ? true : undefined}>
        <CsrfField token={props.ctx.csrfToken} />
        <input type="hidden" name="version" value={props.version} />
        {props.fields}
        <FormButtons siret={h.siret} submit={props.submit} />
      </form>
    </SpaceFrame>
  );
}

interface LineFormProps {
  ctx: PageContext;
  head: SpaceHeader;
  index: number | null;
  version: string;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
  message?: string;
}

/** The add / modify page of one line: the words of the page depend on the kind of line and on `index`. */
function EditLinePage(
  props: LineFormProps & {
    path: 'contacts' | 'sites';
    words: { add: [title: string, submit: string]; edit: [title: string, submit: string] };
    fields: ReactNode;
  },
) {
  const editing = props.index !== null;
  const [title, submit] = editing ? props.words.edit : props.words.add;
  const base = `${spaceUrl(props.head.siret)}/${props.path}`;
  return (
    <LineFormPage
      ctx={props.ctx}
      head={props.head}
      version={props.version}
      errors={props.errors}
      message={props.message}
      title={title}
      action={editing ? `${base}/${props.index! + 1}` : base}
      submit={submit}
      fields={props.fields}
    />
  );
}

export function ContactFormPage(props: LineFormProps & { fonctions: readonly string[] }) {
  return (
    <EditLinePage
      {...props}
      path="contacts"
      words={{ add: ['Ajouter un contact', 'Ajouter le contact'], edit: ['Modifier un contact', 'Enregistrer le contact'] }}
      fields={<ContactFields values={props.values ?? {}} errors={props.errors ?? {}} fonctions={props.fonctions} />}
    />
  );
}

/** A contact's form fields, in order (the examples of functions are the first of the list). */
const contactFields = (fonctions: readonly string[]): readonly InputSpec[] => [
  { name: 'fonction', label: 'Fonction', required: true, maxLength: 80, hint: `Par exemple : ${fonctions.slice(0, 3).join(', ')}.` },
  { name: 'nom', label: 'Nom', required: true, maxLength: 80, autoComplete: 'off', hint: 'Par exemple : Mme Claire Martin.' },
  {
    name: 'courriel',
    label: 'Courriel',
    required: true,
    type: 'email',
    maxLength: 254,
    autoComplete: 'off',
    validate: 'email',
    hint: 'Affiché sur la fiche publique.',
  },
  {
    name: 'telephone',
    label: 'Téléphone',
    type: 'tel',
    maxLength: 20,
    inputMode: 'tel',
    autoComplete: 'off',
    validate: 'phone-optional',
    hint: 'Facultatif. Exemple : 01 23 45 67 89.',
  },
];

function ContactFields(props: { values: Record<string, unknown>; errors: FieldErrors; fonctions: readonly string[] }) {
  return <Inputs fields={contactFields(props.fonctions)} values={props.values} errors={props.errors} />;
}

export function SiteFormPage(props: LineFormProps) {
  return (
    <EditLinePage
      {...props}
      path="sites"
      words={{ add: ['Ajouter un site internet', 'Ajouter le site'], edit: ['Modifier un site internet', 'Enregistrer le site'] }}
      fields={<SiteFields values={props.values ?? {}} errors={props.errors ?? {}} />}
    />
  );
}

/** A website's form fields, in order. */
const SITE_FIELDS: readonly InputSpec[] = [
  { name: 'libelle', label: 'Libellé', required: true, maxLength: 80, hint: 'Par exemple : Site du lycée, Nos formations en BTS.' },
  {
    name: 'url',
    label: 'Adresse du site',
    required: true,
    type: 'url',
    maxLength: 500,
    hint: 'Commence par https:// ou http:// ; exemple : https://www.mon-etablissement.fr',
  },
];

function SiteFields(props: { values: Record<string, unknown>; errors: FieldErrors }) {
  return <Inputs fields={SITE_FIELDS} values={props.values} errors={props.errors} />;
}

export function RemovePage(props: {
  ctx: PageContext;
  head: SpaceHeader;
  kind: 'contact' | 'site';
  index: number;
  label: string;
  version: string;
  message?: string;
}) {
  const what = props.kind === 'contact' ? 'le contact' : 'le site';
  return (
    <LineFormPage
      ctx={props.ctx}
      head={props.head}
      title={props.kind === 'contact' ? 'Supprimer un contact' : 'Supprimer un site internet'}
      action={`${spaceUrl(props.head.siret)}/${props.kind}s/${props.index + 1}/supprimer`}
      version={props.version}
      submit="Supprimer"
      message={props.message}
      intro={<p>{`Voulez-vous supprimer ${what} « ${props.label} » de la fiche publique de l’établissement ?`}</p>}
    />
  );
}
