/**
 * Charts drawn on the server as SVG (no script): a horizontal bar chart and a line chart. Each is an image
 * for assistive technologies (`role="img"`, its `<title>` and `<desc>` named by `aria-labelledby`); the
 * figures themselves are in the text table the page puts beside each chart. Colours of the DSFR (bleu
 * France and its lighter tone, both at least 3:1 on white).
 */
import type { ReactNode } from 'react';

export const COULEURS = { principale: '#000091', secondaire: '#6a6af4', grille: '#929292', texte: '#3a3a3a' } as const;

/** A compact French amount for an axis or a bar's end: « 12,3 M€ », « 450 k€ », « 80 € ». */
export function euroCourt(euros: number): string {
  const f = (n: number) => n.toLocaleString('fr-FR', { maximumFractionDigits: 1 });
  if (Math.abs(euros) >= 1e6) return `${f(euros / 1e6)}\u00a0M€`;
  if (Math.abs(euros) >= 1e3) return `${f(euros / 1e3)}\u00a0k€`;
  return `${f(euros)}\u00a0€`;
}

/** An amount in cents as euros for drawing only (never for a figure shown as text). */
export const eurosDessin = (cents: bigint): number => Number(cents) / 100;

function Frame(props: { id: string; titre: string; description: string; width: number; height: number; children: ReactNode }) {
  return (
    <svg
      className="graphique"
      role="img"
      aria-labelledby={`${props.id}-titre ${props.id}-desc`}
      viewBox={`0 0 ${props.width} ${props.height}`}
      width="100%"
      xmlns="http://www.w3.org/2000/svg"
    >
      <title id={`${props.id}-titre`}>{props.titre}</title>
      <desc id={`${props.id}-desc`}>{props.description}</desc>
      {props.children}
    </svg>
  );
}

function Legende(props: { x: number; y: number; items: readonly { label: string; color: string }[] }) {
  let x = props.x;
  return (
    <g aria-hidden="true">
      {props.items.map((it) => {
        const at = x;
        x += 24 + it.label.length * 7;
        return (
          <g key={it.label}>
            <rect x={at} y={props.y - 10} width="12" height="12" fill={it.color} />
            <text x={at + 16} y={props.y} fontSize="12" fill={COULEURS.texte}>
              {it.label}
            </text>
          </g>
        );
      })}
    </g>
  );
}

export interface Barre {
  label: string;
  /** the whole bar (lighter) */
  valeur: number;
  /** the part drawn over it (darker), at most `valeur` */
  partie?: number;
}

/** Horizontal bars, one per row, the darker part drawn over the whole (e.g. validated over allocated). */
export function Barres(props: {
  id: string;
  titre: string;
  description: string;
  barres: readonly Barre[];
  legende: { valeur: string; partie?: string };
  format?: (n: number) => string;
}) {
  const width = 720;
  const labelWidth = 250;
  const barMax = width - labelWidth - 90;
  const rowHeight = 22;
  const top = 28;
  const height = top + props.barres.length * rowHeight + 8;
  const max = Math.max(1, ...props.barres.map((b) => b.valeur));
  const format = props.format ?? euroCourt;
  const cut = (s: string) => (s.length > 38 ? `${s.slice(0, 37)}…` : s);
  return (
    <Frame id={props.id} titre={props.titre} description={props.description} width={width} height={height}>
      <Legende
        x={labelWidth}
        y={14}
        items={[
          { label: props.legende.valeur, color: COULEURS.secondaire },
          ...(props.legende.partie ? [{ label: props.legende.partie, color: COULEURS.principale }] : []),
        ]}
      />
      {props.barres.map((b, i) => {
        const y = top + i * rowHeight;
        const w = (b.valeur / max) * barMax;
        return (
          <g key={i}>
            <text x={labelWidth - 6} y={y + 14} fontSize="12" textAnchor="end" fill={COULEURS.texte}>
              {cut(b.label)}
            </text>
            <rect x={labelWidth} y={y + 3} width={Math.max(w, b.valeur > 0 ? 1 : 0)} height={rowHeight - 6} fill={COULEURS.secondaire} />
            {b.partie ? (
              <rect x={labelWidth} y={y + 3} width={(b.partie / max) * barMax} height={rowHeight - 6} fill={COULEURS.principale} />
            ) : null}
            <text x={labelWidth + w + 4} y={y + 14} fontSize="11" fill={COULEURS.texte}>
              {format(b.valeur)}
            </text>
          </g>
        );
      })}
    </Frame>
  );
}

export interface Serie {
  label: string;
  color: string;
  valeurs: readonly number[];
}

/** Lines over days (e.g. running totals): a y axis with four ticks, the first and last day on the x axis. */
export function Courbes(props: { id: string; titre: string; description: string; jours: readonly string[]; series: readonly Serie[] }) {
  const width = 720;
  const height = 300;
  const left = 80;
  const right = 16;
  const top = 30;
  const bottom = 40;
  const n = Math.max(1, props.jours.length - 1);
  const max = Math.max(1, ...props.series.flatMap((s) => s.valeurs));
  const x = (i: number) => left + (i / n) * (width - left - right);
  const y = (v: number) => top + (1 - v / max) * (height - top - bottom);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => t * max);
  const day = (j: string | undefined) => (j ? `${j.slice(8, 10)}/${j.slice(5, 7)}/${j.slice(0, 4)}` : '');
  return (
    <Frame id={props.id} titre={props.titre} description={props.description} width={width} height={height}>
      <Legende x={left} y={14} items={props.series.map((s) => ({ label: s.label, color: s.color }))} />
      <g aria-hidden="true">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={left} x2={width - right} y1={y(t)} y2={y(t)} stroke={COULEURS.grille} strokeWidth="0.5" />
            <text x={left - 6} y={y(t) + 4} fontSize="11" textAnchor="end" fill={COULEURS.texte}>
              {euroCourt(t)}
            </text>
          </g>
        ))}
        <text x={left} y={height - bottom + 18} fontSize="11" fill={COULEURS.texte}>
          {day(props.jours[0])}
        </text>
        <text x={width - right} y={height - bottom + 18} fontSize="11" textAnchor="end" fill={COULEURS.texte}>
          {day(props.jours[props.jours.length - 1])}
        </text>
      </g>
      {props.series.map((s) => (
        <polyline
          key={s.label}
          fill="none"
          stroke={s.color}
          strokeWidth="2"
          points={s.valeurs.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}
        />
      ))}
    </Frame>
  );
}
