/**
 * « Gérer vos portefeuilles » (guide « Tiers-déclarants »): « Vos portefeuilles », « Ajout de
 * portefeuille » and its modification, its deletion, the déclarants and declarations of a portefeuille.
 * Icon buttons carry their full name as text (read by screen readers) and a title; the legend explains them.
 */
import type { ReactNode } from 'react';
import type { FieldErrors } from '../../shared/fields.js';
import { DualList, PendingAlert } from '../components/dual-list.js';
import { Alert, CsrfField, ErrorSummary, Input, PlainSelect } from '../components/form.js';
import { Table } from '../components/table.js';
import { Layout, type PageContext } from '../layout.js';
import { DECLARATION_NOUN, DeclarationsDualList } from './declarations.js';
import {
  base,
  DECLARANT_LEGENDS,
  DECLARANT_NOUN,
  DECLARANTS_HELP,
  declarantItems,
  dualAttributes,
  FormButtons,
  IconLink,
  LIST,
  Legend,
  MENU,
  Pagination,
  printRecap,
  RecapButtons,
  EXPORT_RECAP,
  Textarea,
  type PortefeuilleSummary,
} from './portefeuilles-parts.js';

// ── « Vos portefeuilles » ───────────────────────────────────────────────────────────────────────

/** « Critères de recherche »: by the portefeuille's name, a client's SIREN or a déclarant. */
function SearchForm(props: { critere: string; valeur: string; criteria: readonly { value: string; label: string }[] }) {
  return (
    <form method="get" action="/gestion/portefeuilles" className="fr-mb-3w" role="search" aria-label="Rechercher un portefeuille">
      <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
        <div className="fr-col-12 fr-col-md-4">
          <PlainSelect id="critere" name="critere" label="Critères de recherche" options={props.criteria} value={props.critere} />
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
  );
}

/** « Consulter », « Imprimer », « Exporter » the récapitulatif, and back to the menu. */
function RecapitulatifLinks() {
  return (
    <RecapButtons
      buttons={[
        {
          label: 'Consulter le récapitulatif',
          href: '/gestion/portefeuilles/recapitulatif',
          className: 'fr-btn fr-btn--secondary fr-icon-eye-line fr-btn--icon-left',
        },
        printRecap('/gestion/portefeuilles/recapitulatif'),
        EXPORT_RECAP,
        { label: 'Retour au menu personnalisé', href: '/menu', className: 'fr-btn fr-btn--tertiary' },
      ]}
    />
  );
}

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
      <SearchForm critere={props.critere} valeur={props.valeur} criteria={props.criteria} />
      <p className="no-print">
        <a className="fr-btn fr-icon-add-line fr-btn--icon-left" href="/gestion/portefeuilles/ajouter">
          Ajouter un portefeuille
        </a>
      </p>
      <Table
        bordered
        caption={`Vos portefeuilles (${props.total})`}
        columns={['Portefeuille', 'Nombre d’entreprises', 'Commentaire', { label: 'Actions', className: 'no-print' }]}
        rows={props.rows}
        empty={props.valeur ? 'Aucun portefeuille ne correspond à votre recherche.' : 'La liste est vide'}
        row={(r) => (
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
        )}
      />
      <Pagination page={props.page} pages={props.pages} href={q} label="Pages des portefeuilles" />
      <Legend kinds={['declarants', 'declarations', 'composer', 'modifier', 'etablissements', 'declarationsEntreprise', 'habilitations']} />
      <RecapitulatifLinks />
    </Layout>
  );
}

// ── « Ajout de portefeuille » / modification ────────────────────────────────────────────────────

/** The déclarants of a portefeuille: the two lists (« disponibles », « sélectionnés »), helped by `#declarants-aide`. */
function DeclarantsDualList(props: {
  declarants: readonly { id: string; nom: string; prenom: string }[];
  selected: ReadonlySet<string>;
  pending?: boolean;
  error?: string;
}) {
  return (
    <>
      <DualList
        field="declarants"
        noun={DECLARANT_NOUN}
        legends={DECLARANT_LEGENDS}
        items={declarantItems(props.declarants)}
        selected={props.selected}
        helpId="declarants-aide"
        pending={props.pending}
        error={props.error}
        empty="Votre espace n’a pas encore de déclarant actif : ajoutez-en avec « Gérer les déclarants »."
      />
      <PendingAlert pending={props.pending} />
    </>
  );
}

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
            <DeclarantsDualList
              declarants={props.declarants ?? []}
              selected={chosen}
              pending={props.pending}
              error={props.errors?.declarants}
            />
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
    <PortefeuilleListPage {...props} title="Gérer les déclarants du portefeuille">
      <p id="declarants-aide">{DECLARANTS_HELP} Les déclarants sélectionnés voient ce portefeuille et ses entreprises.</p>
      <form method="post" action={`${base(props.portefeuille.id)}/declarants`} {...dualAttributes('declarants', DECLARANT_NOUN)}>
        <CsrfField token={props.ctx.csrfToken} />
        <DeclarantsDualList declarants={props.declarants} selected={selected} pending={props.pending} error={props.errors?.declarants} />
        <FormButtons cancel="/gestion/portefeuilles" />
      </form>
    </PortefeuilleListPage>
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
    <PortefeuilleListPage {...props} title="Gérer les déclarations du portefeuille">
      <p id="declarations-aide">
        Sélectionnez les déclarations pouvant être transmises par les déclarants pour le portefeuille en les basculant dans « Liste des
        déclarations sélectionnées » à l’aide des flèches ou en effectuant un glissé. Une déclaration ajoutée l’est pour chaque
        établissement choisi des entreprises du portefeuille ; elle est accessible 24 heures après son ajout. Une déclaration retirée l’est
        aussi des établissements, avec les habilitations correspondantes.
      </p>
      <form method="post" action={`${base(props.portefeuille.id)}/declarations`} {...dualAttributes('declarations', DECLARATION_NOUN)}>
        <CsrfField token={props.ctx.csrfToken} />
        <DeclarationsDualList selected={props.selected} pending={props.pending} error={props.errors?.declarations} />
        <FormButtons cancel="/gestion/portefeuilles" />
      </form>
    </PortefeuilleListPage>
  );
}

/** The frame of the portefeuille's two lists: title, the portefeuille's name, the errors. */
function PortefeuilleListPage(props: {
  ctx: PageContext;
  title: string;
  portefeuille: { name: string };
  errors?: FieldErrors | undefined;
  children: ReactNode;
}) {
  return (
    <Layout ctx={props.ctx} title={props.title} breadcrumb={[MENU, LIST]} wide>
      <h1>{props.title}</h1>
      <p>
        Nom du portefeuille : <strong>{props.portefeuille.name}</strong>
      </p>
      <ErrorSummary errors={props.errors} />
      {props.children}
    </Layout>
  );
}
