import { DECLARATIONS, type Declaration } from '../../domain/declarations.js';
import { Alert, BackToMenu, CsrfField, ErrorSummary } from '../components/form.js';
import { Layout, type PageContext } from '../layout.js';

/** « 999 005 705 » */
export const formatSiren = (s: string) => s.replace(/^(\d{3})(\d{3})(\d{3})$/, '$1 $2 $3');
/** « 999 005 705 00010 » */
export const formatSiret = (s: string) => s.replace(/^(\d{3})(\d{3})(\d{3})(\d{5})$/, '$1 $2 $3 $4');

export interface EtablissementRowView {
  siret: string;
  denomination: string;
  adresse: string;
  codePostal: string | null;
  libelleCommune: string | null;
  estSiege: boolean;
  etatAdministratif: 'A' | 'F';
  declarations: number;
}

export const adresseOf = (e: Pick<EtablissementRowView, 'adresse' | 'codePostal' | 'libelleCommune'>) => e.adresse || `${e.codePostal ?? ''} ${e.libelleCommune ?? ''}`.trim();

const fmt = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' });

/** « Gestion des déclarations » (multi-établissement): the company, then its établissements, each with « Choix des déclarations ». */
export function GestionDeclarationsPage(props: { ctx: PageContext; siren: string; raisonSociale: string; rows: EtablissementRowView[]; notice?: string }) {
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
      <div className="fr-table fr-table--bordered">
        <table>
          <caption>Les établissements de l’entreprise</caption>
          <thead>
            <tr>
              <th scope="col">Etablissements</th>
              <th scope="col">Adresse</th>
              <th scope="col">Déclarations</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr key={r.siret}>
                <th scope="row">
                  {`${formatSiret(r.siret)} ${r.denomination}`}
                  {r.estSiege ? <span className="fr-badge fr-badge--sm fr-badge--info fr-ml-1w">Siège</span> : null}
                  {r.etatAdministratif === 'F' ? <span className="fr-badge fr-badge--sm fr-badge--warning fr-ml-1w">Fermé</span> : null}
                </th>
                <td>{adresseOf(r)}</td>
                <td>{r.declarations}</td>
                <td>
                  <a className="fr-btn fr-btn--sm fr-btn--secondary fr-btn--icon-left fr-icon-menu-2-fill" href={`/gestion/declarations/${r.siret}`} aria-label={`Choix des déclarations de l’établissement ${formatSiret(r.siret)}`}>
                    Choix des déclarations
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <BackToMenu />
    </Layout>
  );
}

const MOVES = [
  { value: 'ajouter', label: 'Ajouter', title: 'Ajouter les déclarations cochées à la liste des déclarations sélectionnées', icon: 'fr-icon-arrow-right-s-line', add: true },
  { value: 'ajouter-tout', label: 'Tout ajouter', title: 'Ajouter toutes les déclarations disponibles', icon: 'fr-icon-arrow-right-line', add: true },
  { value: 'retirer', label: 'Retirer', title: 'Retirer les déclarations cochées de la liste des déclarations sélectionnées', icon: 'fr-icon-arrow-left-s-line', add: false },
  { value: 'retirer-tout', label: 'Tout retirer', title: 'Retirer toutes les déclarations sélectionnées', icon: 'fr-icon-arrow-left-line', add: false },
] as const;

function DeclarationItem(props: { d: Declaration; selected: boolean; order: number; disabled?: boolean }) {
  const { d } = props;
  const id = `declaration-${d.code}`;
  return (
    <li className="fr-fieldset__element dual-list__item" draggable={props.disabled ? undefined : true} data-code={d.code} data-order={props.order}>
      <div className="fr-checkbox-group">
        <input type="checkbox" id={id} name={props.selected ? 'retirer' : 'ajouter'} value={d.code} disabled={props.disabled} />
        <label className="fr-label" htmlFor={id}>
          {`${d.name} - ${d.description}`}
        </label>
      </div>
      {props.selected ? <input type="hidden" name="declarations" value={d.code} /> : null}
    </li>
  );
}

const listStyle = { listStyle: 'none', margin: 0, padding: '.5rem', minHeight: '12rem', border: '1px solid var(--border-default-grey)', background: 'var(--background-default-grey)' } as const;

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
  const sel = new Set(props.selected);
  const order = new Map(DECLARATIONS.map((d, i) => [d.code, i]));
  const available = DECLARATIONS.filter((d) => !sel.has(d.code));
  const chosen = DECLARATIONS.filter((d) => sel.has(d.code));
  const waiting = chosen.filter((d) => props.opening[d.code] && props.opening[d.code]! > props.now);
  const back = props.mono ? '/menu' : '/gestion/declarations';
  const breadcrumb = props.mono ? [{ href: '/menu', label: 'Menu personnalisé' }] : [{ href: '/menu', label: 'Menu personnalisé' }, { href: '/gestion/declarations', label: 'Gestion des déclarations' }];
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
          Cet établissement est fermé dans le répertoire SIRENE : vous ne pouvez plus lui ajouter de déclaration. Vous pouvez retirer les déclarations sélectionnées.
        </Alert>
      ) : null}
      {waiting.length ? (
        <Alert type="info" title="Délai d’accès">
          <ul>
            {waiting.map((d) => (
              <li key={d.code}>{`${d.name} : accessible à partir du ${fmt.format(props.opening[d.code]!)}.`}</li>
            ))}
          </ul>
        </Alert>
      ) : null}
      <h2>Déclarations de l’entreprise</h2>
      <p id="declarations-aide">
        Sélectionnez les déclarations pouvant être transmises par les déclarants en les basculant dans « Liste des déclarations sélectionnées » à l’aide des flèches de navigation ou en effectuant un glissé. Au clavier : cochez
        une déclaration avec la barre d’espace puis activez une flèche, ou appuyez sur Entrée sur la déclaration.
      </p>
      <form method="post" action={`/gestion/declarations/${props.siret}`} data-dual-list="">
        <CsrfField token={props.ctx.csrfToken} />
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-5">
            <fieldset className="fr-fieldset" aria-labelledby="liste-disponibles-titre" aria-describedby="declarations-aide">
              <legend className="fr-fieldset__legend" id="liste-disponibles-titre">
                Liste des déclarations disponibles
              </legend>
              <ul className="dual-list__list" data-list="disponibles" style={listStyle}>
                {available.map((d) => (
                  <DeclarationItem key={d.code} d={d} selected={false} order={order.get(d.code)!} disabled={props.closed} />
                ))}
              </ul>
            </fieldset>
          </div>
          <div className="fr-col-12 fr-col-md-2">
            <div role="group" aria-label="Déplacer les déclarations" style={{ display: 'flex', flexDirection: 'column', gap: '.75rem', paddingTop: '2.5rem' }}>
              {MOVES.map((m) => (
                <button
                  key={m.value}
                  type="submit"
                  name="action"
                  value={m.value}
                  data-move={m.value}
                  className={`fr-btn fr-btn--sm fr-btn--secondary fr-btn--icon-${m.add ? 'right' : 'left'} ${m.icon}`}
                  style={{ width: '100%', justifyContent: 'center' }}
                  title={m.title}
                  disabled={m.add && props.closed}
                >
                  {m.label}
                </button>
              ))}
            </div>
          </div>
          <div className="fr-col-12 fr-col-md-5">
            <fieldset className="fr-fieldset" aria-labelledby="liste-selectionnees-titre" aria-describedby="declarations-aide">
              <legend className="fr-fieldset__legend" id="liste-selectionnees-titre">
                Liste des déclarations sélectionnées
              </legend>
              <ul className="dual-list__list" data-list="selectionnees" style={listStyle}>
                {chosen.map((d) => (
                  <DeclarationItem key={d.code} d={d} selected order={order.get(d.code)!} />
                ))}
              </ul>
            </fieldset>
          </div>
        </div>
        <p className="fr-sr-only" aria-live="polite" data-dual-status="">
          {props.pending ? 'Listes modifiées : cliquez sur « Valider » pour enregistrer.' : ''}
        </p>
        {props.pending ? <Alert type="info">Vos changements ne sont pas encore enregistrés : cliquez sur « Valider » pour les enregistrer, ou « Annuler » pour les abandonner.</Alert> : null}
        <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--right">
          <li>
            <a className="fr-btn fr-btn--secondary" href={back}>
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
    </Layout>
  );
}
