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
