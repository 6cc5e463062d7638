/** The printable récapitulatif of an employer SIRET's allocations (docs/messages.md), with its PDF. */
import { formatJour } from '../../domain/jours.js';
import { formatEuros, formatPercent } from '../../shared/format.js';
import type { Synthese } from '../../modules/attributions/synthese.js';
import type { PageContext } from '../layout.js';
import { SyntheseFrame, type EmployerHeader } from './soltea-employeur-frame.js';
import { CampagneTable, EnveloppeSummary } from './soltea-employeur-synthese.js';

export function RecapitulatifPage(props: { ctx: PageContext; head: EmployerHeader; s: Synthese }) {
  const { s, head } = props;
  return (
    <SyntheseFrame ctx={props.ctx} head={head} backClassName="fr-no-print" title="Récapitulatif de vos attributions">
      <p className="fr-no-print">
        Cette page s’imprime telle quelle (fonction « Imprimer » de votre navigateur). Le même récapitulatif existe en PDF ; il vous est
        aussi envoyé par courriel chaque fois que vous validez vos attributions.
      </p>
      <p className="fr-no-print">
        <a
          className="fr-link fr-icon-download-line fr-link--icon-right"
          href={`/soltea/employeur/${head.siret}/recapitulatif.pdf`}
          download
        >
          Télécharger le récapitulatif (PDF)
        </a>
      </p>
      <EnveloppeSummary s={s} />
      {s.lines.length ? <CampagneTable s={s} /> : <p>Aucune attribution pour cette campagne.</p>}
      <p>
        <strong>{`Total attribué : ${formatPercent(s.totalBp)}${s.enveloppe ? ` (${formatEuros(s.attribueCents)})` : ''}`}</strong>
        {` · non attribué : ${formatPercent(s.resteBp)}${s.nonAttribueCents === null ? '' : ` (${formatEuros(s.nonAttribueCents)})`}`}
      </p>
      <p className="fr-text--sm">
        {`Versements : ${s.campaign.vagues.map((v) => `vague ${v.numero} à partir du ${formatJour(v.date)} (attributions validées en période ${v.periodeNumero})`).join(' ; ')}. Les fonds non attribués à la fin de la campagne sont répartis à partir du ${formatJour(s.campaign.reliquat)} (article R. 6241-28 du code du travail).`}
      </p>
    </SyntheseFrame>
  );
}
