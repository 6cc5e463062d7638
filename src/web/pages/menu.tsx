import type { FieldErrors } from '../../shared/fields.js';
import type { MandatView } from '../../modules/accounts/mandats.js';
import { MandatCard } from './mandats.js';
import type { Tile } from '../../modules/accounts/menu.js';
import type { SessionView } from '../../modules/accounts/sessions.js';
import { Alert, CsrfField, ErrorSummary, Input } from '../components/form.js';
import { formatDateTimeShort } from '../../shared/format.js';
import { Table } from '../components/table.js';
import { PostButton } from '../components/buttons.js';
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
          <h2 className="fr-h5">Vos services complémentaires</h2>
          <ul>
            <li>
              <a className="fr-link" href="/api/docs">
                API pour les logiciels de paie
              </a>
            </li>
          </ul>
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

/** « Votre espace entreprise », for administrators. */
function EspaceEntrepriseMenu(props: { isTiers: boolean; pending: number }) {
  const links = props.isTiers ? [...GESTION_LINKS, { href: '/gestion/portefeuilles', label: 'Gérer vos portefeuilles' }] : GESTION_LINKS;
  return (
    <nav className="fr-sidemenu" aria-labelledby="espace-entreprise-titre">
      <div className="fr-sidemenu__inner">
        {/* Small screens: the DSFR side menu folds behind this button (hidden from md up). */}
        <button className="fr-sidemenu__btn" type="button" aria-expanded="false" aria-controls="espace-entreprise-liens">
          Votre espace entreprise
        </button>
        <div className="fr-collapse" id="espace-entreprise-liens">
          <h2 className="fr-sidemenu__title" id="espace-entreprise-titre">
            Votre espace entreprise
          </h2>
          <ul className="fr-sidemenu__list">
            <li className="fr-sidemenu__item">
              <span className="fr-sidemenu__link" aria-disabled="true">
                Gestion
              </span>
              <ul className="fr-sidemenu__list">
                {links.map((l) => (
                  <li className="fr-sidemenu__item" key={l.href}>
                    <a className="fr-sidemenu__link" href={l.href}>
                      {l.label}
                    </a>
                  </li>
                ))}
              </ul>
            </li>
            <li className="fr-sidemenu__item">
              <a className="fr-sidemenu__link" href="/menu/demandes">
                {`Demande en attente${props.pending ? ` (${props.pending})` : ''}`}
              </a>
            </li>
          </ul>
        </div>
      </div>
    </nav>
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

/** What an administrator answers to a request to become administrator. */
const DECISIONS = [
  { action: 'accorder', label: 'Accorder', className: 'fr-btn' },
  { action: 'refuser', label: 'Refuser', className: 'fr-btn fr-btn--secondary' },
] as const;

export function DemandesPage(props: {
  ctx: PageContext;
  demandes: { id: string; kind: string; createdAt: Date; nom: string; prenom: string; email: string; siret: string }[];
  mandats: MandatView[];
  notice?: string;
}) {
  const pendingMandats = props.mandats.filter((m) => m.statut === 'en_attente');
  const acceptedMandats = props.mandats.filter((m) => m.statut === 'accepte');
  return (
    <Layout ctx={props.ctx} title="Demande en attente" breadcrumb={[{ href: '/menu', label: 'Menu personnalisé' }]}>
      <h1>Demande en attente</h1>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      {props.demandes.length === 0 && pendingMandats.length === 0 ? <p>Aucune demande en attente.</p> : null}
      {pendingMandats.map((m) => (
        <MandatCard key={m.id} csrfToken={props.ctx.csrfToken} m={m} level={2} />
      ))}
      {props.demandes.map((d) => (
        <div className="fr-card fr-p-3w fr-mb-2w" key={d.id}>
          <h2 className="fr-h5">
            {d.kind === 'candidat_ad'
              ? `${d.prenom} ${d.nom} demande à devenir administrateur`
              : `${d.prenom} ${d.nom} demande la réinitialisation de son mot de passe`}
          </h2>
          <p>
            Courriel : {d.email} · Siret : {d.siret} · Demande du {formatDateTimeShort(d.createdAt)}
          </p>
          {d.kind === 'candidat_ad' ? (
            <ul className="fr-btns-group fr-btns-group--inline-md">
              {DECISIONS.map((x) => (
                <li key={x.action}>
                  <PostButton
                    csrfToken={props.ctx.csrfToken}
                    action={`/menu/demandes/${d.id}/${x.action}`}
                    className={x.className}
                    ariaLabel={`${x.label} la demande de ${d.prenom} ${d.nom}`}
                    label={x.label}
                  />
                </li>
              ))}
            </ul>
          ) : (
            <PostButton
              csrfToken={props.ctx.csrfToken}
              action={`/menu/demandes/${d.id}/reinitialiser`}
              className="fr-btn"
              ariaLabel={`Réinitialiser le mot de passe de ${d.prenom} ${d.nom}`}
              label="Réinitialiser le mot de passe"
            />
          )}
        </div>
      ))}
      {acceptedMandats.length > 0 ? (
        <section className="fr-mt-4w" aria-labelledby="mandats-acceptes">
          <h2 id="mandats-acceptes">Mandats accordés à des tiers déclarants</h2>
          {acceptedMandats.map((m) => (
            <MandatCard key={m.id} csrfToken={props.ctx.csrfToken} m={m} level={3} />
          ))}
        </section>
      ) : null}
    </Layout>
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
