/**
 * A tile map of France's regions (one square per region, placed roughly as on the map; the five
 * overseas regions in a row below), drawn on the server as SVG. Each tile is shaded by its value in five
 * classes of bleu France and carries the region's short name. A tile map is used rather than contours:
 * the registry's package of region contours (@svg-maps/france.regions) is licensed CC BY-NC, which a
 * public service cannot take (docs/regles.md#statistiques). The image has its title and description; the
 * figures are in the text table the page puts beside it.
 */
import { COULEURS } from './graphique.js';

/** Column, row and short name of each region (code officiel géographique). */
const TUILES: Record<string, { col: number; row: number; court: string }> = {
  '32': { col: 2, row: 0, court: 'HDF' },
  '28': { col: 1, row: 1, court: 'NOR' },
  '11': { col: 2, row: 1, court: 'IDF' },
  '44': { col: 3, row: 1, court: 'GES' },
  '53': { col: 0, row: 2, court: 'BRE' },
  '52': { col: 1, row: 2, court: 'PDL' },
  '24': { col: 2, row: 2, court: 'CVL' },
  '27': { col: 3, row: 2, court: 'BFC' },
  '75': { col: 1.5, row: 3, court: 'NAQ' },
  '84': { col: 2.5, row: 3, court: 'ARA' },
  '76': { col: 1.5, row: 4, court: 'OCC' },
  '93': { col: 2.5, row: 4, court: 'PAC' },
  '94': { col: 3.7, row: 4.4, court: 'COR' },
  '01': { col: 0, row: 5.6, court: 'GUA' },
  '02': { col: 1, row: 5.6, court: 'MTQ' },
  '03': { col: 2, row: 5.6, court: 'GUY' },
  '04': { col: 3, row: 5.6, court: 'LRE' },
  '06': { col: 4, row: 5.6, court: 'MAY' },
};

/** From the lightest to bleu France; the text is dark on the first two classes, white on the others. */
const CLASSES = ['#e3e3fd', '#cacafb', '#6a6af4', '#313178', '#000091'] as const;

export interface ValeurRegion {
  code: string;
  nom: string;
  valeur: number;
  /** the value as the table writes it (« 1 234,56 € ») */
  texte: string;
}

export function CarteRegions(props: { id: string; titre: string; description: string; regions: readonly ValeurRegion[] }) {
  const size = 88;
  const gap = 6;
  const step = size + gap;
  const width = 5 * step + 10;
  const height = 7 * step - 20;
  const max = Math.max(1, ...props.regions.map((r) => r.valeur));
  const classe = (v: number) => (v <= 0 ? 0 : Math.min(CLASSES.length - 1, Math.ceil((v / max) * CLASSES.length) - 1));
  const byCode = new Map(props.regions.map((r) => [r.code, r]));
  return (
    <svg
      className="graphique carte-regions"
      role="img"
      aria-labelledby={`${props.id}-titre ${props.id}-desc`}
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      xmlns="http://www.w3.org/2000/svg"
    >
      <title id={`${props.id}-titre`}>{props.titre}</title>
      <desc id={`${props.id}-desc`}>{props.description}</desc>
      {Object.entries(TUILES).map(([code, t]) => {
        const r = byCode.get(code);
        const k = classe(r?.valeur ?? 0);
        const x = 5 + t.col * step;
        const y = 5 + t.row * step;
        return (
          <g key={code}>
            <rect x={x} y={y} width={size} height={size} rx="4" fill={CLASSES[k]} stroke={COULEURS.principale} strokeWidth="1" />
            <text
              x={x + size / 2}
              y={y + 38}
              fontSize="16"
              fontWeight="700"
              textAnchor="middle"
              fill={k < 2 ? COULEURS.principale : '#ffffff'}
            >
              {t.court}
            </text>
            <text x={x + size / 2} y={y + 60} fontSize="11" textAnchor="middle" fill={k < 2 ? COULEURS.principale : '#ffffff'}>
              {r ? r.texte.replace(/,\d\d\u00a0€$/, '\u00a0€') : '—'}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** The short names of the tiles, for the table beside the map. */
export const regionCourt = (code: string): string => TUILES[code]?.court ?? '';
