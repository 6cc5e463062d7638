/**
 * « Gérer vos portefeuilles » (guide « Tiers-déclarants »): « Vos portefeuilles », « Ajout de
 * portefeuille », the déclarants and declarations of a portefeuille, « Composition du portefeuille »
 * and, per client company, its établissements, declarations and transfer; the récapitulatif (printable).
 * Icon buttons carry their full name as text (read by screen readers) and a title; the legend explains them.
 */
import type { ReactNode } from 'react';
import { DECLARATIONS, findDeclaration } from '../../domain/declarations.js';
import type { FieldErrors } from '../../shared/fields.js';
import { DualList } from '../components/dual-list.js';
import { Alert, BackToMenu, CheckboxGroup, CsrfField, ErrorSummary, Input } from '../components/form.js';
import { DECLARATION_LEGENDS, DECLARATION_NOUN } from './declarations.js';
import { Layout, type PageContext } from '../layout.js';

const MENU = { href: '/menu', label: 'Menu personnalisé' };
const LIST = { href: '/gestion/portefeuilles', label: 'Vos portefeuilles' };
const base = (id: string) => `/gestion/portefeuilles/${id}`;

export interface PortefeuilleSummary {
  id: string;
  name: string;
  comment: string;
  isDefault: boolean;
  clientCount: number;
}

export interface ClientSummary {
  siren: string;
  raisonSociale: string;
  activeCount: number;
  chosenCount: number;
  firstSiret: string | null;
}

export const ICONS = {
  declarants: { icon: 'fr-icon-team-line', label: 'Gérer les déclarants du portefeuille' },
  declarations: { icon: 'fr-icon-file-text-line', label: 'Gérer les déclarations du portefeuille' },
  composer: { icon: 'fr-icon-briefcase-line', label: 'Composer le portefeuille' },
  modifier: { icon: 'fr-icon-edit-line', label: 'Modifier le nom et le commentaire du portefeuille' },
  etablissements: { icon: 'fr-icon-building-line', label: 'Choisir les établissements de l’entreprise' },
  declarationsEntreprise: { icon: 'fr-icon-file-text-line', label: 'Gérer les déclarations de l’entreprise' },
  habilitations: { icon: 'fr-icon-user-setting-line', label: 'Gérer les habilitations de l’entreprise' },
  transferer: { icon: 'fr-icon-arrow-left-right-line', label: 'Transférer l’entreprise' },
  retirer: { icon: 'fr-icon-delete-line', label: 'Retirer l’entreprise du portefeuille' },
} as const;
type IconKey = keyof typeof ICONS;

const sirenFormat = (s: string) => `${s.slice(0, 3)} ${s.slice(3, 6)} ${s.slice(6)}`;
const typeLabel = (activeCount: number) => (activeCount > 1 ? 'Multi-établissements' : 'Mono-établissement');

function IconLink(props: { kind: IconKey; href: string; about: string }) {
  const i = ICONS[props.kind];
  return (
    <a className={`fr-btn fr-btn--sm fr-btn--tertiary-no-outline ${i.icon}`} href={props.href} title={`${i.label} ${props.about}`}>
      {`${i.label} ${props.about}`}
    </a>
  );
}

function Legend(props: { kinds: IconKey[] }) {
  return (
    <section className="fr-mt-4w no-print" aria-labelledby="legende">
      <h2 className="fr-h6" id="legende">
        Légende
      </h2>
      <ul className="fr-raw-list">
        {props.kinds.map((k) => (
          <li key={k} className="fr-mb-1v">
            <span className={`${ICONS[k].icon} fr-mr-1w`} aria-hidden="true"></span>
            {ICONS[k].label}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Pagination(props: { page: number; pages: number; href: (page: number) => string; label: string }) {
  if (props.pages <= 1) return null;
  const pages = Array.from({ length: props.pages }, (_, i) => i + 1).filter(
    (p) => p === 1 || p === props.pages || Math.abs(p - props.page) <= 2,
  );
  return (
    <nav role="navigation" className="fr-pagination fr-mt-2w no-print" aria-label={props.label}>
      <ul className="fr-pagination__list">
        {pages.map((p) => (
          <li key={p}>
            <a
              className="fr-pagination__link"
              href={props.href(p)}
              aria-current={p === props.page ? 'page' : undefined}
              title={`Page ${p}`}
            >
              {p}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Textarea(props: { name: string; label: string; value?: unknown; error?: string; maxLength: number; hint?: string }) {
  return (
    <div className={`fr-input-group ${props.error ? 'fr-input-group--error' : ''}`}>
      <label className="fr-label" htmlFor={props.name}>
        {props.label}
        {props.hint ? <span className="fr-hint-text">{props.hint}</span> : null}
      </label>
      <textarea
        className={`fr-input ${props.error ? 'fr-input--error' : ''}`}
        id={props.name}
        name={props.name}
        rows={3}
        maxLength={props.maxLength}
        defaultValue={typeof props.value === 'string' ? props.value : ''}
        aria-describedby={`${props.name}-messages`}
        aria-invalid={props.error ? true : undefined}
      />
      <div className="fr-messages-group" id={`${props.name}-messages`} aria-live="polite">
        {props.error ? <p className="fr-message fr-message--error">{props.error}</p> : null}
      </div>
    </div>
  );
}

export const DECLARANT_NOUN = { one: 'déclarant', many: 'déclarants', feminine: false } as const;
export const DECLARANT_LEGENDS = { available: 'Déclarants disponibles', selected: 'Déclarants sélectionnés' } as const;
const DECLARANTS_HELP =
  'Basculez les déclarants qui travailleront sur ce portefeuille dans « Déclarants sélectionnés » à l’aide des flèches ou en effectuant un glissé. Au clavier : cochez un déclarant avec la barre d’espace puis activez une flèche, ou appuyez sur Entrée sur le déclarant.';
const dualAttributes = (field: string, noun: { one: string; many: string; feminine: boolean }) => ({
  'data-dual-list': '',
  'data-dual-field': field,
  'data-dual-one': noun.one,
  'data-dual-many': noun.many,
  'data-dual-feminine': noun.feminine ? '1' : '0',
});
const declarantItems = (declarants: readonly { id: string; nom: string; prenom: string }[]) =>
  declarants.map((d, i) => ({ value: d.id, label: `${d.nom} ${d.prenom}`, order: i }));
function PendingAlert(props: { pending?: boolean }) {
  return props.pending ? (
    <Alert type="info">
      Vos changements ne sont pas encore enregistrés : cliquez sur « Valider » pour les enregistrer, ou « Annuler » pour les abandonner.
    </Alert>
  ) : null;
}

function FormButtons(props: { cancel: string }) {
  return (
    <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left fr-mt-3w">
      <li>
        <a className="fr-btn fr-btn--secondary fr-icon-close-line fr-btn--icon-left" href={props.cancel}>
          Annuler
        </a>
      </li>
      <li>
        <button className="fr-btn fr-icon-check-line fr-btn--icon-left" type="submit">
          Valider
        </button>
      </li>
    </ul>
  );
}

// ── « Vos portefeuilles » ───────────────────────────────────────────────────────────────────────

export function PortefeuillesPage(props: {
  ctx: PageContext;
  rows: PortefeuilleSummary[];
  total: number;
  page: number;
  pages: number;
  critere: string;
  valeur: string;
  criteria: readonly { value: string; label: string }[];
  notice?: string;
  error?: string;
}) {
  const q = (page: number) =>
    `/gestion/portefeuilles?${new URLSearchParams({ ...(props.valeur ? { critere: props.critere, valeur: props.valeur } : {}), page: String(page) }).toString()}`;
  return (
    <Layout ctx={props.ctx} title="Vos portefeuilles" breadcrumb={[MENU]} wide>
      <h1>Vos portefeuilles</h1>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      {props.error ? <Alert type="error">{props.error}</Alert> : null}
      <form method="get" action="/gestion/portefeuilles" className="fr-mb-3w" role="search" aria-label="Rechercher un portefeuille">
        <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
          <div className="fr-col-12 fr-col-md-4">
            <div className="fr-select-group">
              <label className="fr-label" htmlFor="critere">
                Critères de recherche
              </label>
              <select className="fr-select" id="critere" name="critere" defaultValue={props.critere}>
                {props.criteria.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div className="fr-col-12 fr-col-md-5">
            <Input name="valeur" label="Valeur" value={props.valeur} maxLength={100} />
          </div>
          <div className="fr-col-12 fr-col-md-3 fr-mb-3w">
            <button className="fr-btn fr-icon-search-line fr-btn--icon-left" type="submit">
              Rechercher
            </button>
          </div>
        </div>
      </form>
      <p className="no-print">
        <a className="fr-btn fr-icon-add-line fr-btn--icon-left" href="/gestion/portefeuilles/ajouter">
          Ajouter un portefeuille
        </a>
      </p>
      <div className="fr-table fr-table--bordered">
        <table>
          <caption>{`Vos portefeuilles (${props.total})`}</caption>
          <thead>
            <tr>
              <th scope="col">Portefeuille</th>
              <th scope="col">Nombre d’entreprises</th>
              <th scope="col">Commentaire</th>
              <th scope="col" className="no-print">
                Actions
              </th>
            </tr>
          </thead>
          <tbody>
            {props.rows.length === 0 ? (
              <tr>
                <td colSpan={4}>{props.valeur ? 'Aucun portefeuille ne correspond à votre recherche.' : 'La liste est vide'}</td>
              </tr>
            ) : null}
            {props.rows.map((r) => (
              <tr key={r.id}>
                <th scope="row">
                  <a href={base(r.id)}>{r.name}</a>
                </th>
                <td>{r.clientCount}</td>
                <td>{r.comment}</td>
                <td className="no-print">
                  <IconLink kind="declarants" href={`${base(r.id)}/declarants`} about={`« ${r.name} »`} />
                  <IconLink kind="declarations" href={`${base(r.id)}/declarations`} about={`« ${r.name} »`} />
                  <IconLink kind="composer" href={base(r.id)} about={`« ${r.name} »`} />
                  <IconLink kind="modifier" href={`${base(r.id)}/modifier`} about={`« ${r.name} »`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pagination page={props.page} pages={props.pages} href={q} label="Pages des portefeuilles" />
      <Legend kinds={['declarants', 'declarations', 'composer', 'modifier', 'etablissements', 'declarationsEntreprise', 'habilitations']} />
      <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left fr-mt-3w no-print">
        <li>
          <a className="fr-btn fr-btn--secondary fr-icon-eye-line fr-btn--icon-left" href="/gestion/portefeuilles/recapitulatif">
            Consulter le récapitulatif
          </a>
        </li>
        <li>
          <a
            className="fr-btn fr-btn--secondary fr-icon-printer-line fr-btn--icon-left"
            href="/gestion/portefeuilles/recapitulatif?impression=1"
          >
            Imprimer le récapitulatif
          </a>
        </li>
        <li>
          <a
            className="fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left"
            href="/gestion/portefeuilles/recapitulatif.csv"
            download
          >
            Exporter le récapitulatif (CSV)
          </a>
        </li>
        <li>
          <a className="fr-btn fr-btn--tertiary" href="/menu">
            Retour au menu personnalisé
          </a>
        </li>
      </ul>
    </Layout>
  );
}

// ── « Ajout de portefeuille » / modification ────────────────────────────────────────────────────

export function PortefeuilleFormPage(props: {
  ctx: PageContext;
  mode: 'create' | 'edit';
  id?: string;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
  declarants?: { id: string; nom: string; prenom: string; selected: boolean }[];
  pending?: boolean;
}) {
  const title = props.mode === 'create' ? 'Ajout de portefeuille' : 'Modification du portefeuille';
  const chosen = new Set(([] as unknown[]).concat(props.values?.declarants ?? []).map(String));
  return (
    <Layout ctx={props.ctx} title={title} breadcrumb={[MENU, LIST]}>
      <h1>{title}</h1>
      <ErrorSummary errors={props.errors} />
      <form
        method="post"
        action={props.mode === 'create' ? '/gestion/portefeuilles' : base(props.id!)}
        noValidate
        {...(props.mode === 'create' ? dualAttributes('declarants', DECLARANT_NOUN) : {})}
      >
        <CsrfField token={props.ctx.csrfToken} />
        <h2 className="fr-h5">Portefeuille</h2>
        <Input
          name="name"
          label="Nom du portefeuille"
          required
          value={props.values?.name}
          error={props.errors?.name}
          maxLength={100}
          hint="100 caractères au maximum, différent de vos autres portefeuilles."
        />
        <Textarea
          name="comment"
          label="Commentaire"
          value={props.values?.comment}
          error={props.errors?.comment}
          maxLength={500}
          hint="Facultatif, 500 caractères au maximum."
        />
        {props.mode === 'create' ? (
          <>
            <h2 className="fr-h5">Déclarants</h2>
            <p id="declarants-aide">{DECLARANTS_HELP}</p>
            <DualList
              field="declarants"
              noun={DECLARANT_NOUN}
              legends={DECLARANT_LEGENDS}
              items={declarantItems(props.declarants ?? [])}
              selected={chosen}
              helpId="declarants-aide"
              pending={props.pending}
              error={props.errors?.declarants}
              empty="Votre espace n’a pas encore de déclarant actif : ajoutez-en avec « Gérer les déclarants »."
            />
            <PendingAlert pending={props.pending} />
          </>
        ) : null}
        <FormButtons cancel="/gestion/portefeuilles" />
      </form>
      {props.mode === 'edit' ? (
        <p className="fr-mt-4w">
          <a className="fr-btn fr-btn--tertiary fr-icon-delete-line fr-btn--icon-left" href={`${base(props.id!)}/supprimer`}>
            Supprimer ce portefeuille
          </a>
        </p>
      ) : null}
    </Layout>
  );
}

/** « Supprimer le portefeuille »: a confirmation page (works without JavaScript). */
export function PortefeuilleDeletePage(props: {
  ctx: PageContext;
  portefeuille: { id: string; name: string; isDefault: boolean };
  error?: string;
}) {
  const p = props.portefeuille;
  return (
    <Layout ctx={props.ctx} title="Supprimer le portefeuille" breadcrumb={[MENU, LIST]}>
      <h1>Supprimer le portefeuille</h1>
      {props.error ? (
        <Alert type="error" title="Suppression impossible">
          {props.error}
        </Alert>
      ) : null}
      <p>
        Nom du portefeuille : <strong>{p.name}</strong>
      </p>
      <p>Seul un portefeuille sans entreprise peut être supprimé. Ses déclarants n’y auront plus accès ; ils en sont informés.</p>
      <form method="post" action={`${base(p.id)}/supprimer`}>
        <CsrfField token={props.ctx.csrfToken} />
        <ul className="fr-btns-group fr-btns-group--inline-md">
          <li>
            <a className="fr-btn fr-btn--secondary" href="/gestion/portefeuilles">
              Annuler
            </a>
          </li>
          <li>
            <button type="submit" className="fr-btn fr-icon-delete-line fr-btn--icon-left" disabled={p.isDefault || undefined}>
              Supprimer le portefeuille
            </button>
          </li>
        </ul>
      </form>
    </Layout>
  );
}

// ── déclarants / déclarations du portefeuille ───────────────────────────────────────────────────

export function PortefeuilleDeclarantsPage(props: {
  ctx: PageContext;
  portefeuille: { id: string; name: string };
  declarants: { id: string; nom: string; prenom: string; selected: boolean }[];
  /** the working selection of a no-JavaScript round trip */
  working?: readonly string[];
  pending?: boolean;
  errors?: FieldErrors;
}) {
  const selected = new Set(props.working ?? props.declarants.filter((d) => d.selected).map((d) => d.id));
  return (
    <Layout ctx={props.ctx} title="Gérer les déclarants du portefeuille" breadcrumb={[MENU, LIST]} wide>
      <h1>Gérer les déclarants du portefeuille</h1>
      <p>
        Nom du portefeuille : <strong>{props.portefeuille.name}</strong>
      </p>
      <ErrorSummary errors={props.errors} />
      <p id="declarants-aide">{DECLARANTS_HELP} Les déclarants sélectionnés voient ce portefeuille et ses entreprises.</p>
      <form method="post" action={`${base(props.portefeuille.id)}/declarants`} {...dualAttributes('declarants', DECLARANT_NOUN)}>
        <CsrfField token={props.ctx.csrfToken} />
        <DualList
          field="declarants"
          noun={DECLARANT_NOUN}
          legends={DECLARANT_LEGENDS}
          items={declarantItems(props.declarants)}
          selected={selected}
          helpId="declarants-aide"
          pending={props.pending}
          error={props.errors?.declarants}
          empty="Votre espace n’a pas encore de déclarant actif : ajoutez-en avec « Gérer les déclarants »."
        />
        <PendingAlert pending={props.pending} />
        <FormButtons cancel="/gestion/portefeuilles" />
      </form>
    </Layout>
  );
}

export function PortefeuilleDeclarationsPage(props: {
  ctx: PageContext;
  portefeuille: { id: string; name: string };
  selected: readonly string[];
  pending?: boolean;
  errors?: FieldErrors;
}) {
  return (
    <Layout ctx={props.ctx} title="Gérer les déclarations du portefeuille" breadcrumb={[MENU, LIST]} wide>
      <h1>Gérer les déclarations du portefeuille</h1>
      <p>
        Nom du portefeuille : <strong>{props.portefeuille.name}</strong>
      </p>
      <ErrorSummary errors={props.errors} />
      <p id="declarations-aide">
        Sélectionnez les déclarations pouvant être transmises par les déclarants pour le portefeuille en les basculant dans « Liste des
        déclarations sélectionnées » à l’aide des flèches ou en effectuant un glissé. Une déclaration ajoutée l’est pour chaque
        établissement choisi des entreprises du portefeuille ; elle est accessible 24 heures après son ajout. Une déclaration retirée l’est
        aussi des établissements, avec les habilitations correspondantes.
      </p>
      <form method="post" action={`${base(props.portefeuille.id)}/declarations`} {...dualAttributes('declarations', DECLARATION_NOUN)}>
        <CsrfField token={props.ctx.csrfToken} />
        <DualList
          field="declarations"
          noun={DECLARATION_NOUN}
          legends={DECLARATION_LEGENDS}
          items={DECLARATIONS.map((d, i) => ({ value: d.code, label: `${d.name} - ${d.description}`, order: i }))}
          selected={new Set(props.selected)}
          helpId="declarations-aide"
          pending={props.pending}
          error={props.errors?.declarations}
        />
        <PendingAlert pending={props.pending} />
        <FormButtons cancel="/gestion/portefeuilles" />
      </form>
    </Layout>
  );
}

// ── « Composition du portefeuille » ─────────────────────────────────────────────────────────────

export function CompositionPage(props: {
  ctx: PageContext;
  portefeuille: { id: string; name: string };
  clients: ClientSummary[];
  total: number;
  page: number;
  pages: number;
  siren?: unknown;
  errors?: FieldErrors;
  notice?: string;
}) {
  const p = props.portefeuille;
  return (
    <Layout ctx={props.ctx} title="Composition du portefeuille" breadcrumb={[MENU, LIST]} wide>
      <h1>Composition du portefeuille</h1>
      <p>
        Nom du portefeuille : <strong>{p.name}</strong>
      </p>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      <ErrorSummary errors={props.errors} />
      <section className="fr-mb-4w no-print" aria-labelledby="ajouter-entreprise">
        <h2 className="fr-h5" id="ajouter-entreprise">
          Ajouter une entreprise
        </h2>
        <p>Pour ajouter une entreprise dans votre portefeuille saisissez le SIREN et cliquez sur « Valider ».</p>
        <form method="post" action={`${base(p.id)}/entreprises`} noValidate>
          <CsrfField token={props.ctx.csrfToken} />
          <Input
            name="siren"
            label="Siren"
            required
            value={props.siren}
            error={props.errors?.siren}
            inputMode="numeric"
            maxLength={20}
            hint="9 chiffres, par exemple 999 001 001."
          />
          <p className="fr-text--sm">
            NB : le SIREN permet automatiquement d’inscrire l’ensemble des établissements secondaires actifs y étant rattachés.
          </p>
          <button className="fr-btn fr-icon-check-line fr-btn--icon-left" type="submit">
            Valider
          </button>
        </form>
      </section>
      <div className="fr-table fr-table--bordered">
        <table>
          <caption>{`Entreprises du portefeuille (${props.total})`}</caption>
          <thead>
            <tr>
              <th scope="col">Entreprise</th>
              <th scope="col">Raison sociale</th>
              <th scope="col">Type</th>
              <th scope="col">Établissements choisis</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {props.clients.length === 0 ? (
              <tr>
                <td colSpan={5}>La liste est vide</td>
              </tr>
            ) : null}
            {props.clients.map((c) => {
              const about = `${c.raisonSociale} (${sirenFormat(c.siren)})`;
              const cb = `${base(p.id)}/entreprises/${c.siren}`;
              return (
                <tr key={c.siren}>
                  <th scope="row">{sirenFormat(c.siren)}</th>
                  <td>{c.raisonSociale}</td>
                  <td>{typeLabel(c.activeCount)}</td>
                  <td>{`${c.chosenCount} sur ${c.activeCount}`}</td>
                  <td>
                    <IconLink kind="etablissements" href={`${cb}/etablissements`} about={about} />
                    <IconLink kind="declarationsEntreprise" href={`${cb}/declarations`} about={about} />
                    {c.firstSiret ? (
                      <IconLink kind="habilitations" href={`/gestion/habilitations?siret=${c.firstSiret}`} about={about} />
                    ) : null}
                    <IconLink kind="transferer" href={`${cb}/transfert`} about={about} />
                    <form method="post" action={`${cb}/retirer`} className="inline-form">
                      <CsrfField token={props.ctx.csrfToken} />
                      <button
                        className={`fr-btn fr-btn--sm fr-btn--tertiary-no-outline ${ICONS.retirer.icon}`}
                        type="submit"
                        title={`${ICONS.retirer.label} ${about}`}
                      >
                        {`${ICONS.retirer.label} ${about}`}
                      </button>
                    </form>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Pagination
        page={props.page}
        pages={props.pages}
        href={(n) => `${base(p.id)}?page=${n}`}
        label="Pages des entreprises du portefeuille"
      />
      <Legend kinds={['etablissements', 'declarationsEntreprise', 'habilitations', 'transferer', 'retirer']} />
      <p className="fr-mt-3w">
        <a className="fr-btn fr-btn--secondary" href="/gestion/portefeuilles">
          Retour
        </a>
      </p>
    </Layout>
  );
}

function ClientHeader(props: { portefeuille: { name: string }; client: { siren: string; raisonSociale: string } }) {
  return (
    <p>
      Nom du portefeuille : <strong>{props.portefeuille.name}</strong>
      <br />
      Entreprise : <strong>{`${props.client.raisonSociale} (SIREN ${sirenFormat(props.client.siren)})`}</strong>
    </p>
  );
}

export function ClientEtablissementsPage(props: {
  ctx: PageContext;
  portefeuille: { id: string; name: string };
  client: { siren: string; raisonSociale: string };
  etablissements: {
    siret: string;
    denomination: string;
    adresse: string;
    codePostal: string | null;
    libelleCommune: string | null;
    estSiege: boolean;
    chosen: boolean;
  }[];
  errors?: FieldErrors;
}) {
  const back = base(props.portefeuille.id);
  return (
    <Layout
      ctx={props.ctx}
      title="Choisir les établissements de l’entreprise"
      breadcrumb={[MENU, LIST, { href: back, label: 'Composition du portefeuille' }]}
      wide
    >
      <h1>Choisir les établissements de l’entreprise</h1>
      <ClientHeader {...props} />
      <ErrorSummary errors={props.errors} />
      <form method="post" action={`${back}/entreprises/${props.client.siren}/etablissements`}>
        <CsrfField token={props.ctx.csrfToken} />
        <div className="fr-table fr-table--bordered" id="sirets">
          <table>
            <caption>{`Établissements actifs de l’entreprise (${props.etablissements.length}) : cochez ceux pour lesquels vous déclarez`}</caption>
            <thead>
              <tr>
                <th scope="col">Établissement (SIRET)</th>
                <th scope="col">Dénomination</th>
                <th scope="col">Adresse</th>
              </tr>
            </thead>
            <tbody>
              {props.etablissements.map((e) => (
                <tr key={e.siret}>
                  <th scope="row">
                    <div className="fr-checkbox-group fr-checkbox-group--sm">
                      <input type="checkbox" id={`siret-${e.siret}`} name="sirets" value={e.siret} defaultChecked={e.chosen} />
                      <label className="fr-label" htmlFor={`siret-${e.siret}`}>
                        {`${e.siret}${e.estSiege ? ' (siège)' : ''}`}
                      </label>
                    </div>
                  </th>
                  <td>{e.denomination}</td>
                  <td>{[e.adresse, e.codePostal, e.libelleCommune].filter(Boolean).join(' ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <FormButtons cancel={back} />
      </form>
    </Layout>
  );
}

export function ClientDeclarationsPage(props: {
  ctx: PageContext;
  portefeuille: { id: string; name: string };
  client: { siren: string; raisonSociale: string };
  available: string[];
  present: Map<string, number>;
  chosenCount: number;
  errors?: FieldErrors;
}) {
  const back = base(props.portefeuille.id);
  return (
    <Layout
      ctx={props.ctx}
      title="Gérer les déclarations de l’entreprise"
      breadcrumb={[MENU, LIST, { href: back, label: 'Composition du portefeuille' }]}
    >
      <h1>Gérer les déclarations de l’entreprise</h1>
      <ClientHeader {...props} />
      <ErrorSummary errors={props.errors} />
      {props.available.length === 0 ? (
        <Alert type="info">
          <p>
            Ce portefeuille n’a aucune déclaration. Choisissez-les d’abord avec{' '}
            <a href={`${back}/declarations`}>« Gérer les déclarations du portefeuille »</a>.
          </p>
        </Alert>
      ) : (
        <form method="post" action={`${back}/entreprises/${props.client.siren}/declarations`}>
          <CsrfField token={props.ctx.csrfToken} />
          <input type="hidden" name="envoye" value="1" />
          <CheckboxGroup
            name="declarations"
            legend="Déclarations de l’entreprise"
            hint={`Parmi les déclarations du portefeuille, celles qui s’appliquent aux ${props.chosenCount} établissement(s) choisi(s) de l’entreprise.`}
            error={props.errors?.declarations}
            empty=""
            options={props.available.map((code) => {
              const d = findDeclaration(code);
              const n = props.present.get(code) ?? 0;
              return {
                value: code,
                label: d ? `${d.name} - ${d.description}` : code,
                hint: n > 0 && n < props.chosenCount ? `Présente sur ${n} établissement(s) sur ${props.chosenCount}` : undefined,
                checked: n > 0,
              };
            })}
          />
          <FormButtons cancel={back} />
        </form>
      )}
    </Layout>
  );
}

export function TransferPage(props: {
  ctx: PageContext;
  portefeuille: { id: string; name: string };
  client: { siren: string; raisonSociale: string };
  targets: { id: string; name: string }[];
  errors?: FieldErrors;
}) {
  const back = base(props.portefeuille.id);
  const targets = props.targets.filter((t) => t.id !== props.portefeuille.id);
  return (
    <Layout ctx={props.ctx} title="Transférer l’entreprise" breadcrumb={[MENU, LIST, { href: back, label: 'Composition du portefeuille' }]}>
      <h1>Transférer l’entreprise</h1>
      <ClientHeader {...props} />
      <ErrorSummary errors={props.errors} />
      {targets.length === 0 ? (
        <Alert type="info">
          <p>
            Vous n’avez pas d’autre portefeuille. <a href="/gestion/portefeuilles/ajouter">Ajoutez un portefeuille</a> pour y transférer
            cette entreprise.
          </p>
        </Alert>
      ) : (
        <form method="post" action={`${back}/entreprises/${props.client.siren}/transfert`}>
          <CsrfField token={props.ctx.csrfToken} />
          <div className={`fr-select-group ${props.errors?.cible ? 'fr-select-group--error' : ''}`}>
            <label className="fr-label" htmlFor="cible">
              Portefeuille de destination <span aria-hidden="true">*</span>
            </label>
            <select className="fr-select" id="cible" name="cible" required defaultValue="" aria-describedby="cible-messages">
              <option value="" disabled>
                Sélectionnez un portefeuille
              </option>
              {targets.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
            <div className="fr-messages-group" id="cible-messages" aria-live="polite">
              {props.errors?.cible ? <p className="fr-message fr-message--error">{props.errors.cible}</p> : null}
            </div>
          </div>
          <p className="fr-text--sm">L’entreprise part avec ses établissements choisis, leurs déclarations et leurs habilitations.</p>
          <FormButtons cancel={back} />
        </form>
      )}
    </Layout>
  );
}

// ── récapitulatif ───────────────────────────────────────────────────────────────────────────────

export interface RecapRowView {
  portefeuille: string;
  siren: string | null;
  raisonSociale: string | null;
  activeCount: number | null;
  siret: string | null;
  declarations: string | null;
}

/** `page`/`pages`: the screen version is paged (50 clients a page); print and CSV keep everything. */
export function RecapPage(props: {
  ctx: PageContext;
  rows: RecapRowView[];
  print: boolean;
  title?: string;
  back?: string;
  page?: number;
  pages?: number;
}) {
  const names = (codes: string | null) =>
    (codes ?? '')
      .split(',')
      .filter(Boolean)
      .map((c) => findDeclaration(c)?.name ?? c)
      .join(', ');
  const title = props.title ?? 'Récapitulatif de vos portefeuilles';
  return (
    <Layout ctx={props.ctx} title={title} breadcrumb={[MENU, LIST]} wide>
      <h1>{title}</h1>
      {props.print ? (
        <div className="no-print fr-mb-3w">
          <Alert type="info">
            <p>Version imprimable : utilisez le bouton ci-dessous ou la commande « Imprimer » de votre navigateur (Ctrl + P).</p>
          </Alert>
          <button className="fr-btn fr-icon-printer-line fr-btn--icon-left" type="button" data-action="imprimer">
            Imprimer
          </button>
        </div>
      ) : null}
      <div className="fr-table fr-table--bordered fr-table--no-caption-print">
        <table>
          <caption>{`Portefeuilles, entreprises et établissements choisis (${props.rows.filter((r) => r.siret).length} établissements)`}</caption>
          <thead>
            <tr>
              <th scope="col">Portefeuille</th>
              <th scope="col">SIREN</th>
              <th scope="col">Raison sociale</th>
              <th scope="col">Type</th>
              <th scope="col">SIRET</th>
              <th scope="col">Déclarations</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.length === 0 ? (
              <tr>
                <td colSpan={6}>La liste est vide</td>
              </tr>
            ) : null}
            {props.rows.map((r, i) => (
              <tr key={`${i}-${r.siret ?? r.siren ?? r.portefeuille}`}>
                <th scope="row">{r.portefeuille}</th>
                <td>{r.siren ? sirenFormat(r.siren) : '—'}</td>
                <td>{r.raisonSociale ?? ''}</td>
                <td>{r.siren ? typeLabel(r.activeCount ?? 0) : ''}</td>
                <td>{r.siret ?? ''}</td>
                <td>{names(r.declarations)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.page && props.pages && props.pages > 1 ? (
        <Pagination
          page={props.page}
          pages={props.pages}
          href={(n) => `/gestion/portefeuilles/recapitulatif?page=${n}`}
          label="Pages du récapitulatif"
        />
      ) : null}
      <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left fr-mt-3w no-print">
        {props.print ? null : (
          <li>
            <a
              className="fr-btn fr-btn--secondary fr-icon-printer-line fr-btn--icon-left"
              href={`${props.back ?? '/gestion/portefeuilles/recapitulatif'}?impression=1`}
            >
              Imprimer le récapitulatif
            </a>
          </li>
        )}
        {props.back ? null : (
          <li>
            <a
              className="fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left"
              href="/gestion/portefeuilles/recapitulatif.csv"
              download
            >
              Exporter le récapitulatif (CSV)
            </a>
          </li>
        )}
        <li>
          <a
            className="fr-btn fr-btn--tertiary"
            href={props.ctx.viewer?.role === 'administrateur' ? '/gestion/portefeuilles' : '/portefeuilles'}
          >
            Retour
          </a>
        </li>
      </ul>
    </Layout>
  );
}

// ── déclarants of a tiers: their portefeuilles (read only) ──────────────────────────────────────

export function ViewerPortefeuillesPage(props: { ctx: PageContext; rows: PortefeuilleSummary[] }) {
  return (
    <Layout ctx={props.ctx} title="Vos portefeuilles" breadcrumb={[MENU]} wide>
      <h1>Vos portefeuilles</h1>
      <p>Les portefeuilles sur lesquels vous travaillez et leurs entreprises clientes.</p>
      <div className="fr-table fr-table--bordered">
        <table>
          <caption>{`Vos portefeuilles (${props.rows.length})`}</caption>
          <thead>
            <tr>
              <th scope="col">Portefeuille</th>
              <th scope="col">Nombre d’entreprises</th>
              <th scope="col">Commentaire</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.length === 0 ? (
              <tr>
                <td colSpan={3}>Vous ne travaillez sur aucun portefeuille : demandez à votre administrateur de vous en confier un.</td>
              </tr>
            ) : null}
            {props.rows.map((r) => (
              <tr key={r.id}>
                <th scope="row">
                  <a href={`/portefeuilles/${r.id}`}>{r.name}</a>
                </th>
                <td>{r.clientCount}</td>
                <td>{r.comment}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <BackToMenu />
    </Layout>
  );
}

export function ViewerPortefeuillePage(props: {
  ctx: PageContext;
  portefeuille: { id: string; name: string };
  clients: ClientSummary[];
  total: number;
  page: number;
  pages: number;
}): ReactNode {
  return (
    <Layout
      ctx={props.ctx}
      title={`Portefeuille ${props.portefeuille.name}`}
      breadcrumb={[MENU, { href: '/portefeuilles', label: 'Vos portefeuilles' }]}
      wide
    >
      <h1>{`Portefeuille ${props.portefeuille.name}`}</h1>
      <div className="fr-table fr-table--bordered">
        <table>
          <caption>{`Entreprises du portefeuille (${props.total})`}</caption>
          <thead>
            <tr>
              <th scope="col">Entreprise</th>
              <th scope="col">Raison sociale</th>
              <th scope="col">Type</th>
              <th scope="col">Établissements choisis</th>
            </tr>
          </thead>
          <tbody>
            {props.clients.length === 0 ? (
              <tr>
                <td colSpan={4}>La liste est vide</td>
              </tr>
            ) : null}
            {props.clients.map((c) => (
              <tr key={c.siren}>
                <th scope="row">{sirenFormat(c.siren)}</th>
                <td>{c.raisonSociale}</td>
                <td>{typeLabel(c.activeCount)}</td>
                <td>{c.chosenCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pagination
        page={props.page}
        pages={props.pages}
        href={(n) => `/portefeuilles/${props.portefeuille.id}?page=${n}`}
        label="Pages des entreprises du portefeuille"
      />
      <p>
        <a className="fr-link" href="/portefeuilles">
          Retour à vos portefeuilles
        </a>
      </p>
    </Layout>
  );
}
