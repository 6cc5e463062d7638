/**
 * « Versé le … » under a line of the employer's Synthèse and Historique (docs/regles.md#suivi-des-versements):
 * the day of each payment of the line, with its amount when the line is not paid in one payment of its
 * whole expected amount (paid in part, or in several waves after a DSN increase).
 */
import { formatJour } from '../../domain/jours.js';
import type { SyntheseLine } from '../../modules/attributions/synthese.js';
import { formatEuros } from '../../shared/format.js';

/** The texts shown for the line's payments (none before a wave paid it). */
export function verseTexts(l: Pick<SyntheseLine, 'versements' | 'montantCents'>): string[] {
  const paid = l.versements.reduce((s, v) => s + v.cents, 0n);
  const whole = l.versements.length === 1 && paid === l.montantCents;
  return l.versements.map((v) => (whole ? `Versé le ${formatJour(v.jour)}` : `Versé le ${formatJour(v.jour)} : ${formatEuros(v.cents)}`));
}

export function VerseLe(props: { l: Pick<SyntheseLine, 'versements' | 'montantCents'> }) {
  const texts = verseTexts(props.l);
  if (!texts.length) return null;
  return (
    <>
      {texts.map((t) => (
        <span key={t} className="fr-hint-text fr-text--bold">
          {t}
        </span>
      ))}
    </>
  );
}
