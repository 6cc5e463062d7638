import type { ReactNode } from 'react';

import type { Viewer } from '../modules/accounts/sessions.js';
import type { AgentViewer } from '../modules/operateur/sessions.js';
import { LinkItems } from './components/side-menu.js';
import { CsrfField } from './components/form.js';

export interface PageContext {
  csrfToken: string;
  viewer: Viewer | null;
  /** the operator's agent signed in (pages under /operateur) */
  agent?: AgentViewer | null;
  /** the development tools are on (DEV_TOOLS=1): the footer links to the outbox */
  devTools: boolean;
}

const SKIP_LINKS = [
  { href: '#contenu', label: 'Contenu' },
  { href: '#pied-de-page', label: 'Pied de page' },
];

/** The page frame: DSFR header (net-entreprises), skip links, main content, footer. */
export function Layout(props: {
  ctx: PageContext;
  title: string;
  children: ReactNode;
  wide?: boolean;
  breadcrumb?: { href: string; label: string }[];
}) {
  const { ctx } = props;
  return (
    <html lang="fr" data-fr-scheme="light">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no" />
        <meta name="csrf-token" content={ctx.csrfToken} />
        <title>{`${props.title} - net-entreprises`}</title>
        <link rel="stylesheet" href="/dsfr/dsfr.min.css" />
        <link rel="stylesheet" href="/dsfr/utility/icons/icons.min.css" />
        <link rel="stylesheet" href="/assets/app.css" />
      </head>
      <body>
        <div className="fr-skiplinks">
          <nav className="fr-container" role="navigation" aria-label="Accès rapide">
            <ul className="fr-skiplinks__list">
              <LinkItems links={SKIP_LINKS} className="fr-link" />
            </ul>
          </nav>
        </div>
        <Header ctx={ctx} />
        <main id="contenu" role="main" tabIndex={-1}>
          <div className={`fr-container fr-py-4w ${props.wide ? '' : 'narrow'}`}>
            <Breadcrumb items={props.breadcrumb} title={props.title} />
            {props.children}
          </div>
        </main>
        <Footer ctx={ctx} />
        <script type="module" src="/dsfr/dsfr.module.min.js"></script>
        <script type="module" src="/assets/app.js"></script>
      </body>
    </html>
  );
}

/** The header's quick links (« Votre compte », « Je crée mon compte », or the viewer and « Se déconnecter »). */
function ToolLinks(props: { ctx: PageContext }) {
  const { ctx } = props;
  // the operator's space: the agent once signed in, never the companies' links
  if (ctx.agent !== undefined) return ctx.agent ? <AgentLinks ctx={ctx} agent={ctx.agent} /> : null;
  return (
    <ul className="fr-btns-group">
      {ctx.viewer ? (
        <SignedIn
          ctx={ctx}
          href="/menu/informations"
          who={`${ctx.viewer.prenom} ${ctx.viewer.nom} - ${ctx.viewer.role === 'administrateur' ? 'Administrateur' : 'Déclarant'}`}
          logout="/deconnexion"
        />
      ) : (
        <>
          <li>
            <a className="fr-btn fr-icon-lock-line" href="/connexion">
              Votre compte
            </a>
          </li>
          <li>
            <a className="fr-btn fr-icon-add-circle-line" href="/inscription">
              Je crée mon compte
            </a>
          </li>
        </>
      )}
    </ul>
  );
}

/** The operator's space: the agent, its role, « Se déconnecter ». */
function AgentLinks(props: { ctx: PageContext; agent: AgentViewer }) {
  const { ctx, agent } = props;
  return (
    <ul className="fr-btns-group">
      <SignedIn
        ctx={ctx}
        href="/operateur"
        who={`${agent.prenom} ${agent.nom} - ${agent.role === 'valideur' ? 'Valideur' : 'Gestionnaire'}`}
        logout="/operateur/deconnexion"
      />
    </ul>
  );
}

/** Who is signed in (a link to their page) and « Se déconnecter » (a form posting to `logout`). */
function SignedIn(props: { ctx: PageContext; href: string; who: string; logout: string }) {
  return (
    <>
      <li>
        <a className="fr-btn fr-icon-account-circle-line" href={props.href}>
          {props.who}
        </a>
      </li>
      <li>
        <form method="post" action={props.logout} className="inline-form">
          <CsrfField token={props.ctx.csrfToken} />
          <button type="submit" className="fr-btn fr-icon-logout-box-r-line">
            Se déconnecter
          </button>
        </form>
      </li>
    </>
  );
}

/** The DSFR logo « République Française » (the Marianne block of the header and the footer). */
function Marianne() {
  return (
    <p className="fr-logo">
      République
      <br />
      Française
    </p>
  );
}

/** The DSFR header: the Marianne, the service name, the quick links (a menu on small screens). */
function Header(props: { ctx: PageContext }) {
  const { ctx } = props;
  return (
    <header role="banner" className="fr-header">
      <div className="fr-header__body">
        <div className="fr-container">
          <div className="fr-header__body-row">
            <div className="fr-header__brand fr-enlarge-link">
              <div className="fr-header__brand-top">
                <div className="fr-header__logo">
                  <Marianne />
                </div>
                <div className="fr-header__navbar">
                  <button
                    className="fr-btn--menu fr-btn"
                    data-fr-opened="false"
                    aria-controls="menu-mobile"
                    id="bouton-menu-mobile"
                    title="Menu"
                    type="button"
                  >
                    Menu
                  </button>
                </div>
              </div>
              <div className="fr-header__service">
                {ctx.agent !== undefined ? (
                  <>
                    <a href="/operateur" title="Accueil - Espace opérateur SOLTéA">
                      <p className="fr-header__service-title">SOLTéA - Espace opérateur</p>
                    </a>
                    <p className="fr-header__service-tagline">Caisse des Dépôts, opérateur du solde de la taxe d’apprentissage</p>
                  </>
                ) : (
                  <>
                    <a href={ctx.viewer ? '/menu' : '/'} title="Accueil - net-entreprises">
                      <p className="fr-header__service-title">net-entreprises</p>
                    </a>
                    <p className="fr-header__service-tagline">Portail officiel des déclarations sociales en ligne</p>
                  </>
                )}
              </div>
            </div>
            <div className="fr-header__tools">
              <div className="fr-header__tools-links">
                <ToolLinks ctx={ctx} />
              </div>
            </div>
          </div>
        </div>
      </div>
      {/* Small screens: the same links in the DSFR menu modal (the tools links are hidden there). */}
      <div className="fr-header__menu fr-modal" id="menu-mobile" aria-labelledby="bouton-menu-mobile">
        <div className="fr-container">
          <button className="fr-btn--close fr-btn" aria-controls="menu-mobile" title="Fermer" type="button">
            Fermer
          </button>
          <div className="fr-header__menu-links">
            <ToolLinks ctx={ctx} />
          </div>
        </div>
      </div>
    </header>
  );
}

function Breadcrumb(props: { items: { href: string; label: string }[] | undefined; title: string }) {
  if (!props.items || props.items.length === 0) return null;
  return (
    <nav role="navigation" className="fr-breadcrumb" aria-label="vous êtes ici :">
      <ol className="fr-breadcrumb__list">
        <LinkItems links={props.items} className="fr-breadcrumb__link" />
        <li>
          <a className="fr-breadcrumb__link" aria-current="page">
            {props.title}
          </a>
        </li>
      </ol>
    </nav>
  );
}

function Footer(props: { ctx: PageContext }) {
  const { ctx } = props;
  return (
    <footer className="fr-footer" role="contentinfo" id="pied-de-page">
      <div className="fr-container">
        <div className="fr-footer__body">
          <div className="fr-footer__brand fr-enlarge-link">
            <a href="/" title="Retour à l’accueil - net-entreprises">
              <Marianne />
            </a>
          </div>
          <div className="fr-footer__content">
            <p className="fr-footer__content-desc">
              net-entreprises et SOLTéA : inscription, gestion des habilitations et répartition du solde de la taxe d’apprentissage.
            </p>
            <ul className="fr-footer__content-list">
              <li className="fr-footer__content-item">
                <a className="fr-footer__content-link" href="/conditions-generales">
                  Conditions générales d’utilisation
                </a>
              </li>
              <li className="fr-footer__content-item">
                <a className="fr-footer__content-link" href="/api/docs">
                  API (OpenAPI)
                </a>
              </li>
              {ctx.devTools ? (
                <li className="fr-footer__content-item">
                  <a className="fr-footer__content-link" href="/dev/boite-mail">
                    Boîte mail de développement
                  </a>
                </li>
              ) : null}
            </ul>
          </div>
        </div>
        <div className="fr-footer__bottom">
          <p className="fr-footer__bottom-copy">Accessibilité : conforme au DSFR. Service de démonstration.</p>
        </div>
      </div>
    </footer>
  );
}
