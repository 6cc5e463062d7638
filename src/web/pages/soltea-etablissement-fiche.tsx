/**
 * « Présentation et contacts » of the establishment space: the presentation, the contacts and the
 * websites shown on the public fiche, each contact / site added, modified or removed on its own page.
 */
import type { FieldErrors } from '../../shared/fields.js';
import { CONTACTS_MAX, FONCTIONS_SUGGEREES, PRESENTATION_MAX, SITES_MAX, type Profil } from '../../modules/espace-etablissement/profil.js';
import { CsrfField, ErrorSummary, Input } from '../components/form.js';
import type { PageContext } from '../layout.js';
import { SpaceFrame, spaceUrl, type SpaceHeader } from './soltea-etablissement.js';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function PresentationPage(props: {
  ctx: PageContext;
  head: SpaceHeader;
  profil: Profil;
  notice?: string;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
}) {
  const p = props.profil;
  const h = props.head;
  const base = spaceUrl(h.siret, 'presentation');
  const presentation = props.values ? str(props.values.presentation) : p.presentation;
  const err = props.errors?.presentation;
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
      <form method="post" action={base} noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        <div className={`fr-input-group ${err ? 'fr-input-group--error' : ''}`}>
          <label className="fr-label" htmlFor="presentation">
            Présentation de l’établissement
            <span
              className="fr-hint-text"
              id="presentation-hint"
            >{`Vos formations, vos projets, ce que la taxe d’apprentissage finance chez vous. ${PRESENTATION_MAX} caractères au maximum ; une ligne vide sépare deux paragraphes.`}</span>
          </label>
          <textarea
            className={`fr-input ${err ? 'fr-input--error' : ''}`}
            id="presentation"
            name="presentation"
            rows={8}
            maxLength={PRESENTATION_MAX}
            defaultValue={presentation}
            aria-describedby="presentation-hint presentation-messages"
            aria-invalid={err ? true : undefined}
            data-counter="presentation-compteur"
          />
          <div className="fr-messages-group" id="presentation-messages" aria-live="polite">
            {err ? <p className="fr-message fr-message--error">{err}</p> : null}
          </div>
          <p className="fr-text--xs fr-mb-0" id="presentation-compteur">{`${presentation.length} / ${PRESENTATION_MAX} caractères`}</p>
        </div>
        <button type="submit" className="fr-btn">
          Enregistrer la présentation
        </button>
      </form>

      <h2 className="fr-mt-5w">Contacts</h2>
      {p.contacts.length === 0 ? (
        <div className="fr-alert fr-alert--warning fr-alert--sm fr-mb-2w" role="status">
          <p>Aucun contact n’est renseigné : ajoutez au moins un contact, par exemple le responsable des relations avec les entreprises.</p>
        </div>
      ) : (
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
              {p.contacts.map((c, i) => (
                <tr key={i}>
                  <th scope="row">{c.fonction}</th>
                  <td>{c.nom}</td>
                  <td>{c.courriel}</td>
                  <td>{c.telephone}</td>
                  <td>
                    <ul className="fr-btns-group fr-btns-group--sm fr-btns-group--inline">
                      <li>
                        <a
                          className="fr-btn fr-btn--sm fr-btn--secondary"
                          href={`${spaceUrl(h.siret)}/contacts/${i + 1}`}
                          aria-label={`Modifier le contact ${c.fonction} - ${c.nom}`}
                        >
                          Modifier
                        </a>
                      </li>
                      {p.contacts.length > 1 ? (
                        <li>
                          <a
                            className="fr-btn fr-btn--sm fr-btn--tertiary"
                            href={`${spaceUrl(h.siret)}/contacts/${i + 1}/supprimer`}
                            aria-label={`Supprimer le contact ${c.fonction} - ${c.nom}`}
                          >
                            Supprimer
                          </a>
                        </li>
                      ) : null}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {p.contacts.length < CONTACTS_MAX ? (
        <p>
          <a className="fr-btn fr-btn--secondary fr-icon-add-line fr-btn--icon-left" href={`${spaceUrl(h.siret)}/contacts/nouveau`}>
            Ajouter un contact
          </a>
        </p>
      ) : (
        <p>{`La fiche compte ${CONTACTS_MAX} contacts, le maximum.`}</p>
      )}

      <h2 className="fr-mt-5w">Sites internet</h2>
      {p.sites.length === 0 ? (
        <p>Aucun site internet n’est renseigné.</p>
      ) : (
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
              {p.sites.map((s, i) => (
                <tr key={i}>
                  <th scope="row">{s.libelle}</th>
                  <td style={{ wordBreak: 'break-all' }}>{s.url}</td>
                  <td>
                    <ul className="fr-btns-group fr-btns-group--sm fr-btns-group--inline">
                      <li>
                        <a
                          className="fr-btn fr-btn--sm fr-btn--secondary"
                          href={`${spaceUrl(h.siret)}/sites/${i + 1}`}
                          aria-label={`Modifier le site ${s.libelle}`}
                        >
                          Modifier
                        </a>
                      </li>
                      <li>
                        <a
                          className="fr-btn fr-btn--sm fr-btn--tertiary"
                          href={`${spaceUrl(h.siret)}/sites/${i + 1}/supprimer`}
                          aria-label={`Supprimer le site ${s.libelle}`}
                        >
                          Supprimer
                        </a>
                      </li>
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {p.sites.length < SITES_MAX ? (
        <p>
          <a className="fr-btn fr-btn--secondary fr-icon-add-line fr-btn--icon-left" href={`${spaceUrl(h.siret)}/sites/nouveau`}>
            Ajouter un site internet
          </a>
        </p>
      ) : (
        <p>{`La fiche compte ${SITES_MAX} sites, le maximum.`}</p>
      )}
    </SpaceFrame>
  );
}

const crumb = (h: SpaceHeader) => [{ href: spaceUrl(h.siret, 'presentation'), label: 'Présentation et contacts' }];

export function ContactFormPage(props: {
  ctx: PageContext;
  head: SpaceHeader;
  index: number | null;
  version: string;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
  message?: string;
}) {
  const h = props.head;
  const v = props.values ?? {};
  const e = props.errors ?? {};
  const editing = props.index !== null;
  const action = editing ? `${spaceUrl(h.siret)}/contacts/${props.index! + 1}` : `${spaceUrl(h.siret)}/contacts`;
  return (
    <SpaceFrame
      ctx={props.ctx}
      head={h}
      tab="presentation"
      title={editing ? 'Modifier un contact' : 'Ajouter un contact'}
      breadcrumbExtra={crumb(h)}
    >
      <ErrorSummary errors={props.errors} message={props.message} />
      <form method="post" action={action} noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        <input type="hidden" name="version" value={props.version} />
        <Input
          name="fonction"
          label="Fonction"
          required
          value={v.fonction}
          error={e.fonction}
          maxLength={80}
          hint={`Par exemple : ${FONCTIONS_SUGGEREES.slice(0, 3).join(', ')}.`}
        />
        <Input
          name="nom"
          label="Nom"
          required
          value={v.nom}
          error={e.nom}
          maxLength={80}
          autoComplete="off"
          hint="Par exemple : Mme Claire Martin."
        />
        <Input
          name="courriel"
          label="Courriel"
          required
          type="email"
          value={v.courriel}
          error={e.courriel}
          maxLength={254}
          autoComplete="off"
          validate="email"
          hint="Affiché sur la fiche publique."
        />
        <Input
          name="telephone"
          label="Téléphone"
          type="tel"
          value={v.telephone}
          error={e.telephone}
          maxLength={20}
          inputMode="tel"
          autoComplete="off"
          validate="phone-optional"
          hint="Facultatif. Exemple : 01 23 45 67 89."
        />
        <ul className="fr-btns-group fr-btns-group--inline-md">
          <li>
            <button type="submit" className="fr-btn">
              {editing ? 'Enregistrer le contact' : 'Ajouter le contact'}
            </button>
          </li>
          <li>
            <a className="fr-btn fr-btn--secondary" href={spaceUrl(h.siret, 'presentation')}>
              Annuler
            </a>
          </li>
        </ul>
      </form>
    </SpaceFrame>
  );
}

export function SiteFormPage(props: {
  ctx: PageContext;
  head: SpaceHeader;
  index: number | null;
  version: string;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
  message?: string;
}) {
  const h = props.head;
  const v = props.values ?? {};
  const e = props.errors ?? {};
  const editing = props.index !== null;
  const action = editing ? `${spaceUrl(h.siret)}/sites/${props.index! + 1}` : `${spaceUrl(h.siret)}/sites`;
  return (
    <SpaceFrame
      ctx={props.ctx}
      head={h}
      tab="presentation"
      title={editing ? 'Modifier un site internet' : 'Ajouter un site internet'}
      breadcrumbExtra={crumb(h)}
    >
      <ErrorSummary errors={props.errors} message={props.message} />
      <form method="post" action={action} noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        <input type="hidden" name="version" value={props.version} />
        <Input
          name="libelle"
          label="Libellé"
          required
          value={v.libelle}
          error={e.libelle}
          maxLength={80}
          hint="Par exemple : Site du lycée, Nos formations en BTS."
        />
        <Input
          name="url"
          label="Adresse du site"
          required
          type="url"
          value={v.url}
          error={e.url}
          maxLength={500}
          hint="Commence par https:// ou http:// ; exemple : https://www.mon-etablissement.fr"
        />
        <ul className="fr-btns-group fr-btns-group--inline-md">
          <li>
            <button type="submit" className="fr-btn">
              {editing ? 'Enregistrer le site' : 'Ajouter le site'}
            </button>
          </li>
          <li>
            <a className="fr-btn fr-btn--secondary" href={spaceUrl(h.siret, 'presentation')}>
              Annuler
            </a>
          </li>
        </ul>
      </form>
    </SpaceFrame>
  );
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
  const h = props.head;
  const what = props.kind === 'contact' ? 'le contact' : 'le site';
  return (
    <SpaceFrame
      ctx={props.ctx}
      head={h}
      tab="presentation"
      title={props.kind === 'contact' ? 'Supprimer un contact' : 'Supprimer un site internet'}
      breadcrumbExtra={crumb(h)}
    >
      <ErrorSummary message={props.message} />
      <p>{`Voulez-vous supprimer ${what} « ${props.label} » de la fiche publique de l’établissement ?`}</p>
      <form method="post" action={`${spaceUrl(h.siret)}/${props.kind}s/${props.index + 1}/supprimer`}>
        <CsrfField token={props.ctx.csrfToken} />
        <input type="hidden" name="version" value={props.version} />
        <ul className="fr-btns-group fr-btns-group--inline-md">
          <li>
            <button type="submit" className="fr-btn">
              Supprimer
            </button>
          </li>
          <li>
            <a className="fr-btn fr-btn--secondary" href={spaceUrl(h.siret, 'presentation')}>
              Annuler
            </a>
          </li>
        </ul>
      </form>
    </SpaceFrame>
  );
}
