import type { ReactNode } from 'react';

/** DSFR tables: a caption (read by screen readers), column headers, one row per item. */

/** A column header: its text, or its content and the class of its cell (`no-print`, `fr-cell--right`). */
export type Column = ReactNode | { label: ReactNode; className: string };

const isCell = (c: Column): c is { label: ReactNode; className: string } =>
  typeof c === 'object' && c !== null && 'className' in c && 'label' in c;

/**
 * How an item becomes a row: `row`, the whole `<tr>` with its key; or `cells`, the row's cells in column
 * order (`<td>`, the first a `<th scope="row">` with `rowHeader`) under the key `rowKey` gives.
 */
export type TableRows<T> =
  | { row: (item: T, index: number) => ReactNode }
  | { cells: (item: T) => readonly ReactNode[]; rowKey: (item: T, index: number) => string | number; rowHeader?: boolean };

const renderRow = <T,>(spec: TableRows<T>, item: T, index: number): ReactNode =>
  'row' in spec ? (
    spec.row(item, index)
  ) : (
    <tr key={spec.rowKey(item, index)}>
      {spec.cells(item).map((c, i) =>
        i === 0 && spec.rowHeader ? (
          <th scope="row" key={i}>
            {c}
          </th>
        ) : (
          <td key={i}>{c}</td>
        ),
      )}
    </tr>
  );

export function Table<T>(
  props: TableRows<T> & {
    caption: ReactNode;
    /** `fr-sr-only` when the caption is for screen readers only */
    captionClassName?: string;
    columns: readonly Column[];
    rows: readonly T[];
    /** `fr-table--bordered` */
    bordered?: boolean;
    /** further classes of the frame (`fr-mt-2w`, `fr-table--no-caption-print`) */
    className?: string;
    id?: string;
    /** when there are no rows: one cell across every column with this text */
    empty?: ReactNode;
    /** the `<tfoot>`'s rows (a total) */
    foot?: ReactNode;
  },
) {
  const frame = ['fr-table', props.bordered ? 'fr-table--bordered' : null, props.className].filter(Boolean).join(' ');
  return (
    <div className={frame} id={props.id}>
      <table>
        <caption className={props.captionClassName}>{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c, i) =>
              isCell(c) ? (
                <th scope="col" className={c.className} key={i}>
                  {c.label}
                </th>
              ) : (
                <th scope="col" key={i}>
                  {c}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>
          {props.empty !== undefined && props.rows.length === 0 ? (
            <tr>
              <td colSpan={props.columns.length}>{props.empty}</td>
            </tr>
          ) : null}
          {props.rows.map((item, i) => renderRow(props, item, i))}
        </tbody>
        {props.foot ? <tfoot>{props.foot}</tfoot> : null}
      </table>
    </div>
  );
}

/** « Historique : 3 modifications, page 1 sur 2 »: a paged list's caption, its count and where one stands. */
export const pagedCaption = (title: string, total: number, noun: string, page: number, pages: number): string =>
  `${title} : ${total} ${noun}${total > 1 ? 's' : ''}${pages > 1 ? `, page ${page} sur ${pages}` : ''}`;

/** « Oui » / « Non » for a right; « Sans objet » where the declaration has no payment. */
export const yesNo = (on: boolean) => (on ? 'Oui' : 'Non');
export const payerCell = (payable: boolean, payer: boolean) => (payable ? yesNo(payer) : 'Sans objet');

export interface ReportLine {
  line: number;
  message: string;
}

/** The line-by-line report of a refused import file. */
export function LineReport(props: { caption: ReactNode; report: readonly ReportLine[] }) {
  return (
    <Table
      className="fr-mt-2w"
      caption={props.caption}
      columns={['Ligne', 'Message']}
      rows={props.report}
      row={(r, i) => (
        <tr key={i}>
          <td>{r.line}</td>
          <td>{r.message}</td>
        </tr>
      )}
    />
  );
}

/** A refused import file: why (the alert's title), then what the page adds (the file's name, the report). */
export function RefusedFile(props: { error: string; children?: ReactNode }) {
  return (
    <div className="fr-alert fr-alert--error fr-mb-3w" role="alert" id="erreurs">
      <h2 className="fr-alert__title">{props.error}</h2>
      {props.children}
    </div>
  );
}
