import type { ReactNode } from 'react';
import { Alert } from './form.js';

/** DSFR side menu of a space (« Espace employeur », « Espace établissement »): its pages, the current one marked. */
export function SideMenu(props: {
  id: string;
  title: string;
  items: readonly { key: string; label: string; href: string }[];
  current: string;
}) {
  return (
    <nav className="fr-sidemenu" role="navigation" aria-labelledby={`${props.id}-titre`}>
      <div className="fr-sidemenu__inner">
        <button className="fr-sidemenu__btn" type="button" aria-controls={props.id} aria-expanded="false">
          Dans cet espace
        </button>
        <div className="fr-collapse" id={props.id}>
          <p className="fr-sidemenu__title" id={`${props.id}-titre`}>
            {props.title}
          </p>
          <ul className="fr-sidemenu__list">
            {props.items.map((t) => (
              <li key={t.key} className={`fr-sidemenu__item ${t.key === props.current ? 'fr-sidemenu__item--active' : ''}`}>
                <a className="fr-sidemenu__link" href={t.href} aria-current={t.key === props.current ? 'page' : undefined}>
                  {t.label}
                </a>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </nav>
  );
}

/**
 * The two columns of a space's page: its side menu (and the link back to the choice when the person has
 * several), then the page's title, the name and identity line of what it is about, the notice and the content.
 */
export function SpaceColumns(props: {
  menu: Parameters<typeof SideMenu>[0];
  back: { href: string; label: string } | null;
  /** attributes of the main column (the employer's space marks it for its script) */
  main?: Record<string, string>;
  title: string;
  name: string;
  identity: string;
  notice?: string;
  children: ReactNode;
}) {
  return (
    <div className="fr-grid-row fr-grid-row--gutters">
      <div className="fr-col-12 fr-col-md-3">
        <SideMenu {...props.menu} />
        {props.back ? (
          <p className="fr-mt-2w">
            <a className="fr-link fr-icon-arrow-left-line fr-link--icon-left" href={props.back.href}>
              {props.back.label}
            </a>
          </p>
        ) : null}
      </div>
      <div className="fr-col-12 fr-col-md-9" {...props.main}>
        <h1>{props.title}</h1>
        <p className="fr-text--lead fr-mb-1w">{props.name}</p>
        <p className="fr-text--sm">{props.identity}</p>
        {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
        {props.children}
      </div>
    </div>
  );
}
