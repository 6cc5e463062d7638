import type { ReactNode } from 'react';
import { Alert } from './form.js';

/** A link of a side menu, or a heading whose links fold under it (open by default, so that they work without JavaScript). */
export type SideMenuItem =
  { key: string; label: string; href: string } | { key: string; label: string; id: string; links: readonly LinkSpec[] };

export interface LinkSpec {
  href: string;
  label: string;
}

/** `<li><a class=…>` for each link: the items of a list of links (a breadcrumb, a side menu's group, a list of services). */
export function LinkItems(props: { links: readonly LinkSpec[]; className: string; itemClassName?: string }) {
  return props.links.map((l) => (
    <li key={l.href} className={props.itemClassName}>
      <a className={props.className} href={l.href}>
        {l.label}
      </a>
    </li>
  ));
}

const itemClass = (active: boolean) => (active ? 'fr-sidemenu__item fr-sidemenu__item--active' : 'fr-sidemenu__item');

/** DSFR side menu of a space (« Espace employeur », « Espace établissement »): its pages, the current one marked. */
export function SideMenu(props: {
  /** the id of the part that folds on small screens; its title's id is `${id}-titre` */
  id: string;
  title: string;
  items: readonly SideMenuItem[];
  current?: string;
  /** the label of the button that unfolds the menu on small screens */
  button?: string;
  /** the title as a heading (`h2`) rather than a paragraph */
  heading?: boolean;
}) {
  const Title = props.heading ? 'h2' : 'p';
  return (
    <nav className="fr-sidemenu" role="navigation" aria-labelledby={`${props.id}-titre`}>
      <div className="fr-sidemenu__inner">
        {/* Small screens: the DSFR side menu folds behind this button (hidden from md up). */}
        <button className="fr-sidemenu__btn" type="button" aria-controls={props.id} aria-expanded="false">
          {props.button ?? 'Dans cet espace'}
        </button>
        <div className="fr-collapse" id={props.id}>
          <Title className="fr-sidemenu__title" id={`${props.id}-titre`}>
            {props.title}
          </Title>
          <ul className="fr-sidemenu__list">
            {props.items.map((t) =>
              'links' in t ? (
                <li key={t.key} className={itemClass(true)}>
                  <button className="fr-sidemenu__btn" type="button" aria-expanded="true" aria-controls={t.id}>
                    {t.label}
                  </button>
                  <div className="fr-collapse fr-collapse--expanded" id={t.id}>
                    <ul className="fr-sidemenu__list">
                      <LinkItems links={t.links} className="fr-sidemenu__link" itemClassName="fr-sidemenu__item" />
                    </ul>
                  </div>
                </li>
              ) : (
                <li key={t.key} className={itemClass(t.key === props.current)}>
                  <a className="fr-sidemenu__link" href={t.href} aria-current={t.key === props.current ? 'page' : undefined}>
                    {t.label}
                  </a>
                </li>
              ),
            )}
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
