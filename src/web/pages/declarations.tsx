import { DECLARATIONS } from '../../domain/declarations.js';
import type { CompanyEtablissements } from '../../modules/gestion/declarations.js';
import { formatSiren, formatSiret } from '../../domain/identifiers.js';
import { formatDateTimeShort } from '../../shared/format.js';
import { DualList, PendingAlert } from '../components/dual-list.js';
import { Alert, BackToMenu, CsrfField, ErrorSummary } from '../components/form.js';
import { Table } from '../components/table.js';
import { Layout, type PageContext } from '../layout.js';

/** One établissement of the company's list, with how many declarations it has chosen. */
export type EtablissementRowView = CompanyEtablissements['etablissements'][number];

export const adresseOf = (e: Pick<EtablissementRowView, 'adresse' | 'codePostal' | 'libelleCommune'>) =>
  e.adresse || `${e.codePostal ?? ''} ${e.libelleCommune ?? ''}`.trim();

export const SIEGE_BADGE = <span className="fr-badge fr-badge--sm fr-badge--info fr-ml-1w">Siège</span>;

/** « Choix des déclarations » of one établissement, named for screen readers by its SIRET. */
export function ChoixDeclarationsLink(props: { siret: string; className: string }) {
  return (
    <a
      className={props.className}
      href={`/gestion/declarations/${props.siret}`}
      aria-label={`Choix des déclarations de l’établissement ${formatSiret(props.siret)}`}
    >
      Choix des déclarations
    </a>
  );
}

/** « Gestion des déclarations » (multi-établissement): the company, then its établissements, each with « Choix des déclarations ». */
export function GestionDeclarationsPage(props: {
  ctx: PageContext;
  siren: string;
  raisonSociale: string;
  rows: EtablissementRowView[];
  notice?: string;
}) {
  return (
    <Layout ctx={props.ctx} title="Gestion des déclarations" breadcrumb={[{ href: '/menu', label: 'Menu personnalisé' }]} wide>
      <h1>Gestion des déclarations</h1>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      <p>
        Nom de l’entreprise : <strong>{`${props.raisonSociale} - ${formatSiren(props.siren)}`}</strong>
      </p>
      <h2>L’entreprise</h2>
      <dl className="recap">
        <dt>Entreprise</dt>
        <dd>{`${formatSiren(props.siren)} ${props.raisonSociale}`}</dd>
      </dl>
      <h2>Les établissements</h2>
      <Alert type="info">
        Important : vous devez effectuer cette procédure pour l’ensemble des établissements pour lesquels vous souhaitez accéder à SOLTéA.
      </Alert>
      <Table
        bordered
        caption="Les établissements de l’entreprise"
        columns={['Etablissements', 'Adresse', 'Déclarations', 'Actions']}
        rows={props.rows}
        row={(r) => (
          <tr key={r.siret}>
            <th scope="row">
              {`${formatSiret(r.siret)} ${r.denomination}`}
              {r.estSiege ? SIEGE_BADGE : null}
              {r.etatAdministratif === 'F' ? <span className="fr-badge fr-badge--sm fr-badge--warning fr-ml-1w">Fermé</span> : null}
            </th>
            <td>{adresseOf(r)}</td>
            <td>{r.declarations}</td>
            <td>
              <ChoixDeclarationsLink
                siret={r.siret}
                className="fr-btn fr-btn--sm fr-btn--secondary fr-btn--icon-left fr-icon-menu-2-fill"
              />
            </td>
          </tr>
        )}
      />
      <BackToMenu />
    </Layout>
  );
}

export const DECLARATION_NOUN = { one: 'déclaration', many: 'déclarations', feminine: true } as const;
export const DECLARATION_LEGENDS = {
  available: 'Liste des déclarations disponibles',
  selected: 'Liste des déclarations sélectionnées',
} as const;

/** The items of the two lists: every declaration of the catalogue, in its order. */
export const declarationItems = () => DECLARATIONS.map((d, i) => ({ value: d.code, label: `${d.name} - ${d.description}`, order: i }));

/** The two lists of declarations (« disponibles », « sélectionnées »), helped by `#declarations-aide`. */
export function DeclarationsDualList(props: { selected: readonly string[]; addDisabled?: boolean; pending?: boolean; error?: string }) {
  return (
    <>
      <DualList
        field="declarations"
        noun={DECLARATION_NOUN}
        legends={DECLARATION_LEGENDS}
        items={declarationItems()}
        selected={new Set(props.selected)}
        helpId="declarations-aide"
        addDisabled={props.addDisabled}
        pending={props.pending}
        error={props.error}
      />
      <PendingAlert pending={props.pending} />
    </>
  );
}

/** « Délai d’accès »: when each selected declaration not open yet will be. */
function OpeningDelays(props: { selected: readonly string[]; opening: Record<string, Date>; now: Date }) {
  const sel = new Set(props.selected);
  const waiting = DECLARATIONS.filter((d) => sel.has(d.code) && props.opening[d.code] && props.opening[d.code]! > props.now);
  if (!waiting.length) return null;
  return (
    <Alert type="info" title="Délai d’accès">
      <ul>
        {waiting.map((d) => (
          <li key={d.code}>{`${d.name} : accessible à partir du ${formatDateTimeShort(props.opening[d.code]!)}.`}</li>
        ))}
      </ul>
    </Alert>
  );
}

/** The two lists, the arrows between them, « Annuler » and « Valider ». */
function ListsForm(props: {
  ctx: PageContext;
  siret: string;
  selected: readonly string[];
  closed: boolean;
  pending?: boolean;
  back: string;
}) {
  return (
    <form method="post" action={`/gestion/declarations/${props.siret}`} data-dual-list="">
      <CsrfField token={props.ctx.csrfToken} />
      <DeclarationsDualList selected={props.selected} addDisabled={props.closed} pending={props.pending} />
      <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--right">
        <li>
          <a className="fr-btn fr-btn--secondary" href={props.back}>
            Annuler
          </a>
        </li>
        <li>
          <button type="submit" name="action" value="valider" className="fr-btn">
            Valider
          </button>
        </li>
      </ul>
    </form>
  );
}

/** « Gérer les déclarations »: the two lists of one établissement, arrows between them, « Annuler » / « Valider ». */
export function DeclarationsListsPage(props: {
  ctx: PageContext;
  siret: string;
  denomination: string;
  raisonSociale: string;
  closed: boolean;
  mono: boolean;
  /** codes of the working « sélectionnées » list (saved, or being edited without JavaScript) */
  selected: readonly string[];
  /** when each saved declaration opens */
  opening: Record<string, Date>;
  now: Date;
  errors?: Record<string, string>;
  notice?: string;
  /** the lists were changed but not yet validated (no-JavaScript round trip) */
  pending?: boolean;
}) {
  const back = props.mono ? '/menu' : '/gestion/declarations';
  const breadcrumb = props.mono
    ? [{ href: '/menu', label: 'Menu personnalisé' }]
    : [
        { href: '/menu', label: 'Menu personnalisé' },
        { href: '/gestion/declarations', label: 'Gestion des déclarations' },
      ];
  return (
    <Layout ctx={props.ctx} title="Gérer les déclarations" breadcrumb={breadcrumb} wide>
      <h1>Gérer les déclarations</h1>
      <ErrorSummary errors={props.errors} />
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      <p>
        Établissement : <strong>{`${formatSiret(props.siret)} ${props.denomination}`}</strong>
        {props.raisonSociale !== props.denomination ? ` (${props.raisonSociale})` : null}
        {props.closed ? <span className="fr-badge fr-badge--sm fr-badge--warning fr-ml-1w">Fermé</span> : null}
      </p>
      {props.closed ? (
        <Alert type="warning" title="Établissement fermé">
          Cet établissement est fermé dans le répertoire SIRENE : vous ne pouvez plus lui ajouter de déclaration. Vous pouvez retirer les
          déclarations sélectionnées.
        </Alert>
      ) : null}
      <OpeningDelays selected={props.selected} opening={props.opening} now={props.now} />
      <h2>Déclarations de l’entreprise</h2>
      <p id="declarations-aide">
        Sélectionnez les déclarations pouvant être transmises par les déclarants en les basculant dans « Liste des déclarations
        sélectionnées » à l’aide des flèches de navigation ou en effectuant un glissé. Au clavier : cochez une déclaration avec la barre
        d’espace puis activez une flèche, ou appuyez sur Entrée sur la déclaration.
      </p>
      <ListsForm ctx={props.ctx} siret={props.siret} selected={props.selected} closed={props.closed} pending={props.pending} back={back} />
    </Layout>
  );
}
