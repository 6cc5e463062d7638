import type { FieldErrors } from '../../shared/fields.js';
import type { Tile } from '../../modules/accounts/menu.js';
import type { SessionView } from '../../modules/accounts/sessions.js';
import { Alert, CsrfField, ErrorSummary, Input } from '../components/form.js';
import { formatDateTimeShort } from '../../shared/format.js';
import { Table } from '../components/table.js';
import { PostButton } from '../components/buttons.js';
import { LinkItems, SideMenu } from '../components/side-menu.js';
import { Layout, type PageContext } from '../layout.js';
import { CurrentPasswordField, PasswordFields, SecretQuestionFields } from './password-fields.js';

type MenuProps = {
  ctx: PageContext;
  tiles: Tile[];
  notifications: { id: number; at: Date; text: string }[];
  isAdmin: boolean;
  /** a tiers-déclarant's space: « Gérer vos portefeuilles » */
  isTiers: boolean;
  pending: number;
  administrators: { nom: string; prenom: string }[];
  notice?: string;
};

export function MenuPage(props: MenuProps) {
  return (
    <Layout ctx={props.ctx} title="Menu personnalisé" wide>
      <h1>Menu personnalisé</h1>
      <p className="fr-text--lead">{props.ctx.viewer?.raisonSociale}</p>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-8">
          <h2>Votre tableau de bord</h2>
          <h3 className="fr-h5">Vos notifications</h3>
          <Notifications list={props.notifications} />
          <h3 className="fr-h5">Vos déclarations</h3>
          <DeclarationTiles tiles={props.tiles} isAdmin={props.isAdmin} />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          {props.isAdmin ? <EspaceEntrepriseMenu isTiers={props.isTiers} pending={props.pending} /> : <DeclarantAside {...props} />}
          <h2 className="fr-h5 fr-mt-4w">Vos informations personnelles</h2>
          <ul>
            <li>
              <a className="fr-link" href="/menu/informations">
                Vos informations personnelles
              </a>
            </li>
            <li>
              <a className="fr-link" href="/menu/sessions">
                Vos sessions
              </a>
            </li>
          </ul>
          <ServicesComplementaires />
        </div>
      </div>
    </Layout>
  );
}

function Notifications(props: { list: MenuProps['notifications'] }) {
  if (!props.list.length) return <p>Aucune notification.</p>;
  return (
    <ul>
      {props.list.map((n) => (
        <li key={n.id}>
          <span className="fr-text--sm">{formatDateTimeShort(n.at)}</span> - {n.text}
        </li>
      ))}
    </ul>
  );
}

function DeclarationTiles(props: { tiles: Tile[]; isAdmin: boolean }) {
  if (!props.tiles.length)
    return (
      <p>
        Aucune déclaration ne vous est ouverte.{' '}
        {props.isAdmin ? 'Ajoutez-en avec « Gérer les déclarations ».' : 'Demandez à votre administrateur de vous habiliter.'}
      </p>
    );
  return (
    <ul className="tiles" style={{ listStyle: 'none', paddingLeft: 0 }}>
      {props.tiles.map((t) => (
        <li key={t.code}>
          <div className={`fr-tile ${t.open ? 'fr-enlarge-link' : ''}`}>
            <div className="fr-tile__body">
              <div className="fr-tile__content">
                <h4 className="fr-tile__title">{t.open ? <a href={`/services/${t.code.toLowerCase()}`}>{t.name}</a> : t.name}</h4>
                <p className="fr-tile__desc">{t.description}</p>
                <p className="fr-tile__detail">
                  {t.open ? (
                    <span className="fr-badge fr-badge--success fr-badge--sm">Accessible</span>
                  ) : (
                    <span className="fr-badge fr-badge--info fr-badge--sm">{`Accessible sous ${t.hoursLeft} heure${t.hoursLeft > 1 ? 's' : ''}`}</span>
                  )}
                </p>
              </div>
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}

const GESTION_LINKS = [
  { href: '/gestion/declarations', label: 'Gérer les déclarations' },
  { href: '/gestion/etablissements', label: 'Gérer les établissements' },
  { href: '/gestion/declarants', label: 'Gérer les déclarants' },
  { href: '/gestion/habilitations', label: 'Gérer les habilitations' },
];

/**
 * « Votre espace entreprise », for administrators, as the guide's menu shows it: « Gestion » (its links
 * folded under it, open by default so that they work without JavaScript), « Consultation » and
 * « Demande en attente ».
 */
function EspaceEntrepriseMenu(props: { isTiers: boolean; pending: number }) {
  const links = props.isTiers ? [...GESTION_LINKS, { href: '/gestion/portefeuilles', label: 'Gérer vos portefeuilles' }] : GESTION_LINKS;
  return (
    <SideMenu
      id="espace-entreprise-liens"
      title="Votre espace entreprise"
      button="Votre espace entreprise"
      heading
      items={[
        { key: 'gestion', label: 'Gestion', id: 'espace-entreprise-gestion', links },
        { key: 'consultation', label: 'Consultation', href: '/gestion/consultation' },
        { key: 'demandes', label: `Demande en attente${props.pending ? ` (${props.pending})` : ''}`, href: '/menu/demandes' },
      ]}
    />
  );
}

/** « Vos services complémentaires »: the guide's headings, with what this portal offers under them. */
const SERVICES = [
  {
    heading: 'Référentiels',
    links: [
      { href: '/soltea/recherche', label: 'Recherche établissement (SOLTéA)' },
      { href: '/soltea/calendrier', label: 'Calendrier de la campagne SOLTéA' },
    ],
  },
  { heading: 'Autres services', links: [{ href: '/api/docs', label: 'API pour les logiciels de paie' }] },
];

function ServicesComplementaires() {
  return (
    <>
      <h2 className="fr-h5">Vos services complémentaires</h2>
      {SERVICES.map((g) => (
        <div key={g.heading}>
          <h3 className="fr-text--md fr-text--bold fr-mb-1v">{g.heading}</h3>
          <ul>
            <LinkItems links={g.links} className="fr-link" />
          </ul>
        </div>
      ))}
    </>
  );
}

/** A déclarant is told who administers the company. */
function DeclarantAside(props: Pick<MenuProps, 'isTiers' | 'administrators'>) {
  return (
    <>
      {props.isTiers ? (
        <p>
          <a className="fr-link" href="/portefeuilles">
            Vos portefeuilles de clients
          </a>
        </p>
      ) : null}
      <Alert type="info" title="Votre administrateur">
        <p>
          Vous êtes déclarant. Pour obtenir d’autres droits, adressez-vous à votre administrateur :{' '}
          <strong>{props.administrators.map((a) => `${a.prenom} ${a.nom}`).join(', ') || 'aucun administrateur actif'}</strong>.
        </p>
      </Alert>
    </>
  );
}

// Each form asks for the current password: one id per form, so that each label names its own field.
const CURRENT_ID = { password: 'current', question: 'current-question', email: 'current-email' } as const;

export function InformationsPage(props: {
  ctx: PageContext;
  user: {
    nom: string;
    prenom: string;
    email: string;
    telephone: string;
    portable: string | null;
    siret: string;
    role: string;
    secretQuestion: string | null;
  };
  administrators: { nom: string; prenom: string; email: string }[];
  sessions: SessionView[];
  errors?: FieldErrors;
  form?: 'password' | 'question' | 'email';
  notice?: string;
}) {
  const u = props.user;
  const e = props.errors ?? {};
  const only = (f: string) => (props.form === f ? e : {});
  const summaryErrors =
    props.form && e.current
      ? { ...Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'current')), [CURRENT_ID[props.form]]: e.current }
      : props.errors;
  return (
    <Layout ctx={props.ctx} title="Vos informations personnelles" breadcrumb={[{ href: '/menu', label: 'Menu personnalisé' }]}>
      <h1>Vos informations personnelles</h1>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      <ErrorSummary errors={summaryErrors} />
      <dl className="recap">
        <dt>Siret</dt>
        <dd>{u.siret}</dd>
        <dt>Nom et prénom</dt>
        <dd>{`${u.prenom} ${u.nom}`}</dd>
        <dt>Rôle</dt>
        <dd>{u.role === 'administrateur' ? 'Administrateur' : 'Déclarant'}</dd>
        <dt>Courriel</dt>
        <dd>{u.email}</dd>
        <dt>Téléphone</dt>
        <dd>{u.telephone}</dd>
        <dt>Votre administrateur</dt>
        <dd>{props.administrators.map((a) => `${a.prenom} ${a.nom} (${a.email})`).join(', ') || 'Aucun administrateur actif'}</dd>
      </dl>

      <PasswordChangeForm csrf={props.ctx.csrfToken} nom={u.nom} prenom={u.prenom} errors={only('password')} />
      <QuestionChangeForm csrf={props.ctx.csrfToken} question={u.secretQuestion} errors={only('question')} />
      <EmailChangeForm csrf={props.ctx.csrfToken} errors={only('email')} />
      <h2 className="fr-h4 fr-mt-5w">Vos sessions ouvertes</h2>
      <SessionsTable csrf={props.ctx.csrfToken} sessions={props.sessions} />
    </Layout>
  );
}

function PasswordChangeForm(props: { csrf: string; nom: string; prenom: string; errors: FieldErrors }) {
  return (
    <>
      <h2 className="fr-h4">Changer de mot de passe</h2>
      <form method="post" action="/menu/informations/mot-de-passe" noValidate>
        <CsrfField token={props.csrf} />
        <input type="hidden" id="nom" value={props.nom} />
        <input type="hidden" id="prenom" value={props.prenom} />
        <CurrentPasswordField error={props.errors.current} />
        <PasswordFields errors={props.errors} label="Nouveau mot de passe" />
        <button className="fr-btn" type="submit">
          Changer le mot de passe
        </button>
      </form>
    </>
  );
}

function QuestionChangeForm(props: { csrf: string; question: string | null; errors: FieldErrors }) {
  return (
    <>
      <h2 className="fr-h4 fr-mt-5w">Changer de question secrète</h2>
      <p>Question actuelle : {props.question ?? 'aucune'}</p>
      <form method="post" action="/menu/informations/question-secrete" noValidate>
        <CsrfField token={props.csrf} />
        <CurrentPasswordField id={CURRENT_ID.question} error={props.errors.current} />
        <SecretQuestionFields errors={props.errors} />
        <button className="fr-btn" type="submit">
          Changer la question secrète
        </button>
      </form>
    </>
  );
}

function EmailChangeForm(props: { csrf: string; errors: FieldErrors }) {
  return (
    <>
      <h2 className="fr-h4 fr-mt-5w">Changer d’adresse électronique</h2>
      <form method="post" action="/menu/informations/courriel" noValidate>
        <CsrfField token={props.csrf} />
        <CurrentPasswordField id={CURRENT_ID.email} error={props.errors.current} />
        <Input
          name="email"
          type="email"
          label="Nouveau courriel"
          required
          validate="email"
          maxLength={254}
          error={props.errors.email}
          hint="Un lien de validation sera envoyé à cette adresse ; l’ancienne reste utilisée jusque-là."
        />
        <button className="fr-btn" type="submit">
          Changer d’adresse
        </button>
      </form>
    </>
  );
}

export function SessionsPage(props: { ctx: PageContext; sessions: SessionView[]; notice?: string }) {
  return (
    <Layout ctx={props.ctx} title="Vos sessions" breadcrumb={[{ href: '/menu', label: 'Menu personnalisé' }]}>
      <h1>Vos sessions</h1>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      <SessionsTable csrf={props.ctx.csrfToken} sessions={props.sessions} />
    </Layout>
  );
}

/**
 * The person's open sessions (« Vos informations personnelles » and « Vos sessions »): each but the
 * current one can be closed; « Se déconnecter partout » closes them all.
 */
export function SessionsTable(props: { csrf: string; sessions: SessionView[] }) {
  return (
    <>
      <Table
        caption="Sessions ouvertes sur votre compte"
        columns={['Ouverte le', 'Dernière activité', 'Adresse IP', 'Navigateur', 'Action']}
        rows={props.sessions}
        row={(s) => (
          <tr key={s.ref}>
            <td>
              {formatDateTimeShort(s.createdAt)}
              {s.current ? ' (cette session)' : ''}
            </td>
            <td>{formatDateTimeShort(s.lastSeenAt)}</td>
            <td>{s.ip ?? ''}</td>
            <td>{(s.userAgent ?? '').slice(0, 60)}</td>
            <td>
              {s.current ? (
                'Session en cours'
              ) : (
                <PostButton
                  csrfToken={props.csrf}
                  action={`/menu/sessions/${s.ref}/fermer`}
                  className="fr-btn fr-btn--sm fr-btn--tertiary"
                  title={`Fermer la session ouverte le ${formatDateTimeShort(s.createdAt)}`}
                  label="Fermer cette session"
                />
              )}
            </td>
          </tr>
        )}
      />
      <PostButton
        csrfToken={props.csrf}
        action="/deconnexion-partout"
        className="fr-btn fr-btn--secondary"
        label="Se déconnecter partout"
      />
    </>
  );
}

export function ForcedChangePage(props: {
  ctx: PageContext;
  errors?: FieldErrors;
  values?: Record<string, unknown>;
  nom: string;
  prenom: string;
}) {
  return (
    <Layout ctx={props.ctx} title="Nouveau mot de passe obligatoire">
      <h1>Choisissez un nouveau mot de passe et une nouvelle question secrète</h1>
      <Alert type="warning">
        Votre administrateur a réinitialisé votre mot de passe. Avant toute autre action, choisissez un nouveau mot de passe et une nouvelle
        question secrète.
      </Alert>
      <ErrorSummary errors={props.errors} />
      <form method="post" action="/menu/changement-obligatoire" noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        <input type="hidden" id="nom" value={props.nom} />
        <input type="hidden" id="prenom" value={props.prenom} />
        <PasswordFields errors={props.errors} label="Nouveau mot de passe" />
        <SecretQuestionFields errors={props.errors} values={props.values} />
        <button className="fr-btn" type="submit">
          Valider
        </button>
      </form>
    </Layout>
  );
}
