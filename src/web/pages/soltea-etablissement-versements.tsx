/**
 * « Versements »: the transfers the establishment received for the campaign — day, label, amount — with,
 * under each, the employers it comes from (named only when they share their identity) or its reliquat
 * shares; the totals and the CSV download.
 */
import { formatSiret } from '../../domain/identifiers.js';
import { formatJour } from '../../domain/jours.js';
import type { PaymentView, PaymentsView, ReliquatShareView } from '../../modules/espace-etablissement/versements.js';
import { formatEuros } from '../../shared/format.js';
import { Alert } from '../components/form.js';
import type { PageContext } from '../layout.js';
import { Figure, SpaceFrame, spaceUrl, type SpaceHeader } from './soltea-etablissement.js';

function Totals(props: { view: PaymentsView }) {
  const v = props.view;
  const n = v.virements.filter((p) => !p.rejete).length;
  return (
    <div className="fr-grid-row fr-grid-row--gutters fr-mb-2w">
      <Figure value={formatEuros(v.totalCents)} label={`reçus au total, en ${n} virement${n > 1 ? 's' : ''}`} />
      <Figure value={formatEuros(v.allocationsCents)} label="des attributions des employeurs" />
      <Figure value={formatEuros(v.reliquatCents)} label="du reliquat (fonds non attribués)" />
    </div>
  );
}

function ReliquatRows(props: { share: ReliquatShareView }) {
  const s = props.share;
  return (
    <>
      <tr>
        <td className="fr-pl-4w">Reliquat : part régionale (établissements habilités de la région)</td>
        <td>{formatEuros(s.regionaleCents)}</td>
      </tr>
      <tr>
        <td className="fr-pl-4w">{`Reliquat : part nationale (${s.formations} formation${s.formations > 1 ? 's' : ''} vers un métier en tension)`}</td>
        <td>{formatEuros(s.nationaleCents)}</td>
      </tr>
    </>
  );
}

function Payment(props: { p: PaymentView }) {
  const p = props.p;
  return (
    <tbody>
      <tr>
        <th scope="rowgroup" colSpan={2}>
          {`Virement du ${formatJour(p.jour)} : ${formatEuros(p.cents)}`}
          {p.rejete ? (
            <span className="fr-badge fr-badge--error fr-badge--sm fr-ml-1w">Rejeté par la banque</span>
          ) : (
            <span className="fr-badge fr-badge--success fr-badge--sm fr-ml-1w">Versé</span>
          )}
          <br />
          <span className="fr-text--sm">{`Libellé « ${p.libelle} » — ${p.beneficiaireNom}, SIRET ${formatSiret(p.beneficiaireSiret)}`}</span>
          {p.rejete && p.motifRejet ? (
            <>
              <br />
              <span className="fr-text--sm">{`Motif du rejet : ${p.motifRejet}. Vérifiez vos coordonnées bancaires.`}</span>
            </>
          ) : null}
        </th>
      </tr>
      {p.reliquat ? <ReliquatRows share={p.reliquat} /> : null}
      {p.origines.map((o, i) => (
        <tr key={i}>
          <td className="fr-pl-4w">
            {o.employeur ? `${o.employeur.raisonSociale} (SIRET ${formatSiret(o.employeur.siret)})` : o.employeurNom}
          </td>
          <td>{formatEuros(o.cents)}</td>
        </tr>
      ))}
    </tbody>
  );
}

function Payments(props: { view: PaymentsView }) {
  const v = props.view;
  return (
    <div className="fr-table fr-table--bordered">
      <table>
        <caption>{`Virements reçus pour la campagne ${v.annee}, et leur origine`}</caption>
        <thead>
          <tr>
            <th scope="col">Virement et origine des fonds</th>
            <th scope="col">Montant</th>
          </tr>
        </thead>
        {v.virements.map((p) => (
          <Payment key={p.id} p={p} />
        ))}
        <tfoot>
          <tr>
            <th scope="row">Total reçu</th>
            <td>{formatEuros(v.totalCents)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

/** The reliquat shares computed but not paid yet. */
function PendingReliquat(props: { view: PaymentsView }) {
  const paid = new Set(props.view.virements.filter((p) => p.reliquat && !p.rejete).map((p) => p.beneficiaireSiret));
  const pending = props.view.partsReliquat.filter((s) => !paid.has(s.siret));
  if (!pending.length) return null;
  return (
    <Alert type="info" title="Part du reliquat à venir">
      {pending.map((s) => (
        <p
          key={s.siret}
        >{`SIRET ${formatSiret(s.siret)} : ${formatEuros(s.regionaleCents + s.nationaleCents)} (part régionale ${formatEuros(s.regionaleCents)}, part nationale ${formatEuros(s.nationaleCents)}), versés avec le reliquat de la campagne.`}</p>
      ))}
    </Alert>
  );
}

export function VersementsPage(props: { ctx: PageContext; head: SpaceHeader; view: PaymentsView; campagnes: number[] }) {
  const v = props.view;
  const h = props.head;
  return (
    <SpaceFrame ctx={props.ctx} head={h} tab="versements" title="Versements">
      <p>
        Les virements de la Caisse des Dépôts à votre établissement et à ses composantes pour la campagne {v.annee}, avec l’origine des
        fonds : chaque employeur dont les attributions sont payées (nommé s’il a accepté le partage de ses coordonnées), et votre part du
        reliquat. Les administrateurs de l’établissement sont prévenus par courriel à chaque versement.
      </p>
      <p>
        {'Campagne : '}
        {props.campagnes.map((a) =>
          a === v.annee ? (
            <strong key={a} aria-current="page" className="fr-mr-2w">
              {a}
            </strong>
          ) : (
            <a key={a} className="fr-link fr-mr-2w" href={`${spaceUrl(h.siret, 'versements')}?annee=${a}`}>
              {a}
            </a>
          ),
        )}
      </p>
      <PendingReliquat view={v} />
      {v.virements.length === 0 ? (
        <Alert type="info" title="Aucun versement pour l’instant">
          <p>{`Aucun virement n’a encore été émis pour la campagne ${v.annee}. Les versements ont lieu aux dates de la campagne, pour les attributions validées, sur les coordonnées bancaires vérifiées de l’établissement.`}</p>
        </Alert>
      ) : (
        <>
          <Totals view={v} />
          <Payments view={v} />
          <p>
            <a
              className="fr-link fr-icon-download-line fr-link--icon-right"
              href={`${spaceUrl(h.siret, 'versements')}.csv?annee=${v.annee}`}
              download
            >
              Télécharger les versements (CSV)
            </a>
          </p>
        </>
      )}
    </SpaceFrame>
  );
}
