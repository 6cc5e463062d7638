/**
 * DSFR pagination: the first page, the last, and the pages around the current one; with `prevNext`,
 * « Page précédente » and « Page suivante » around them (disabled links at either end).
 */
export function Pagination(props: {
  page: number;
  pages: number;
  href: (page: number) => string;
  /** the navigation's name for screen readers */
  label: string;
  /** how many pages shown on each side of the current one */
  around: number;
  prevNext?: boolean;
  /** the spacing (and `no-print`) of the navigation */
  className: string;
}) {
  if (props.pages <= 1) return null;
  const pages = Array.from({ length: props.pages }, (_, i) => i + 1).filter(
    (p) => p === 1 || p === props.pages || Math.abs(p - props.page) <= props.around,
  );
  return (
    <nav role="navigation" className={`fr-pagination ${props.className}`} aria-label={props.label}>
      <ul className="fr-pagination__list">
        {props.prevNext ? <Step {...props} to={props.page - 1} kind="prev" /> : null}
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
        {props.prevNext ? <Step {...props} to={props.page + 1} kind="next" /> : null}
      </ul>
    </nav>
  );
}

/** « Page précédente » or « Page suivante »: a link, or a disabled one at either end (a page past the last keeps « précédente »). */
function Step(props: { pages: number; href: (page: number) => string; to: number; kind: 'prev' | 'next' }) {
  const className = `fr-pagination__link fr-pagination__link--${props.kind} fr-pagination__link--lg-label`;
  const label = props.kind === 'prev' ? 'Page précédente' : 'Page suivante';
  return (
    <li>
      {(props.kind === 'prev' ? props.to >= 1 : props.to <= props.pages) ? (
        <a className={className} href={props.href(props.to)}>
          {label}
        </a>
      ) : (
        <a className={className} aria-disabled="true" role="link">
          {label}
        </a>
      )}
    </li>
  );
}
