/**
 * The blocks the operator's statistics and the public figures share (docs/regles.md#statistiques): a
 * breakdown as a bar chart with its table and CSV, the map of regions with its table, the reliquat's split.
 * Each chart is an SVG image (web/components/graphique.tsx) beside a text table holding its figures.
 */
import type { LigneVentilee, StatistiquesView } from '../../modules/statistiques/statistiques.js';
import { formatEuros, formatInteger } from '../../shared/format.js';
import { CarteRegions, regionCourt } from '../components/carte-regions.js';
import { Barres, eurosDessin } from '../components/graphique.js';
import { Table } from '../components/table.js';
import { CsvLink } from './operateur-reliquat.js';

/** The links to the other campaigns, the shown one marked as the current page. */
export function CampagnesNav(props: {
  label: string;
  annees: readonly number[];
  courante: number | undefined;
  href: (annee: number) => string;
}) {
  return (
    <nav aria-label={props.label} className="fr-mb-3w">
      <p className="fr-text--sm">
        Campagne :{' '}
        {props.annees.map((a) => (
          <a key={a} className="fr-link fr-mr-2w" href={props.href(a)} aria-current={a === props.courante ? 'page' : undefined}>
            {String(a)}
          </a>
        ))}
      </p>
    </nav>
  );
}

/** A breakdown of the allocation lines: its chart (the `top` largest rows, all when absent), its table and its CSV. */
export function VentilationBloc(props: {
  id: string;
  titre: string;
  lignes: readonly LigneVentilee[];
  csv: string;
  /** the public page shows allocated and paid only */
  public?: boolean;
  top?: number;
}) {
  const drawn = props.top ? [...props.lignes].sort((a, b) => (b.alloueCents > a.alloueCents ? 1 : -1)).slice(0, props.top) : props.lignes;
  const columns = props.public
    ? ['Libellé', 'Lignes d’attribution', 'Attribué', 'Versé']
    : ['Libellé', 'Lignes d’attribution', 'Attribué', 'Validé', 'Versé', 'Non versable'];
  return (
    <section className="fr-mb-6w" aria-labelledby={`${props.id}-h`}>
      <h2 id={`${props.id}-h`}>{props.titre}</h2>
      {props.lignes.length ? (
        <Barres
          id={`${props.id}-graphique`}
          titre={`${props.titre}${props.top ? ` : les ${props.top} plus grands montants attribués` : ''}`}
          description={
            props.public
              ? 'Montant attribué (barre claire) et versé (barre foncée) par ligne ; les montants exacts sont dans le tableau qui suit.'
              : 'Montant attribué (barre claire) et validé (barre foncée) par ligne ; les montants exacts sont dans le tableau qui suit.'
          }
          barres={drawn.map((l) => ({
            label: l.libelle,
            valeur: eurosDessin(l.alloueCents),
            partie: eurosDessin(props.public ? l.verseCents : l.valideCents),
          }))}
          legende={{ valeur: 'Attribué', partie: props.public ? 'Versé' : 'Validé' }}
        />
      ) : null}
      <CsvLink href={props.csv} label={`Télécharger le tableau (CSV)`} />
      <Table
        caption={props.titre}
        bordered
        columns={columns}
        rows={props.lignes}
        empty="Aucune attribution."
        row={(l) => (
          <tr key={l.cle || 'inconnu'}>
            <td>{l.libelle}</td>
            <td>{formatInteger(l.lignes)}</td>
            <td>{formatEuros(l.alloueCents)}</td>
            {props.public ? null : <td>{formatEuros(l.valideCents)}</td>}
            <td>{formatEuros(l.verseCents)}</td>
            {props.public ? null : <td>{formatEuros(l.nonVersableCents)}</td>}
          </tr>
        )}
      />
    </section>
  );
}

/** The map of regions (allocated to each region's establishments) beside the table of the same figures. */
export function CarteBloc(props: { id: string; lignes: readonly LigneVentilee[]; csv: string; annee: number }) {
  const titre = `Montants attribués aux établissements de chaque région, campagne ${props.annee}`;
  return (
    <section className="fr-mb-6w" aria-labelledby={`${props.id}-h`}>
      <h2 id={`${props.id}-h`}>Par région</h2>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-lg-6">
          <CarteRegions
            id={`${props.id}-carte`}
            titre={titre}
            description="Carte en tuiles : un carré par région, placé comme sur la carte de France, plus foncé quand le montant est plus grand ; les outre-mer en bas. Les montants sont dans le tableau à côté."
            regions={props.lignes
              .filter((l) => l.cle)
              .map((l) => ({ code: l.cle, nom: l.libelle, valeur: eurosDessin(l.alloueCents), texte: formatEuros(l.alloueCents) }))}
          />
        </div>
        <div className="fr-col-12 fr-col-lg-6">
          <CsvLink href={props.csv} label="Télécharger le tableau (CSV)" />
          <Table
            caption={titre}
            bordered
            columns={['Région', 'Sur la carte', 'Attribué', 'Versé']}
            rows={props.lignes}
            empty="Aucune attribution."
            rowKey={(l) => l.cle || 'inconnu'}
            cells={(l) => [l.libelle, regionCourt(l.cle), formatEuros(l.alloueCents), formatEuros(l.verseCents)]}
          />
        </div>
      </div>
    </section>
  );
}

/** The reliquat as computed (R. 6241-28): its parts, then each region's establishments' shares. */
export function ReliquatBloc(props: { id: string; reliquat: StatistiquesView['reliquat']; csv: string }) {
  const r = props.reliquat;
  return (
    <section className="fr-mb-6w" aria-labelledby={`${props.id}-h`}>
      <h2 id={`${props.id}-h`}>Reliquat</h2>
      {r ? (
        <>
          <Table
            caption="Répartition du reliquat (article R. 6241-28 du code du travail)"
            bordered
            columns={['Part', 'Montant']}
            rows={[
              ['Reliquat à répartir', r.poolCents],
              ['Part régionale', r.regionaleCents],
              ['Part nationale (formations menant aux métiers en tension)', r.nationaleCents],
              ['Versé aux établissements', r.verseCents],
              ['Reste au fonds pour l’année suivante', r.reporteCents],
            ]}
            rowKey={([libelle]) => String(libelle)}
            cells={([libelle, cents]) => [libelle, formatEuros(cents as bigint)]}
          />
          <CsvLink href={props.csv} label="Télécharger les parts par région (CSV)" />
          <Table
            caption="Parts du reliquat des établissements de chaque région"
            bordered
            columns={['Région', 'Établissements', 'Parts du reliquat']}
            rows={r.parRegion}
            empty="Aucune part."
            rowKey={(g) => g.region || 'inconnue'}
            cells={(g) => [g.libelle, formatInteger(g.etablissements), formatEuros(g.cents)]}
          />
        </>
      ) : (
        <p>Le reliquat de cette campagne n’est pas encore calculé.</p>
      )}
    </section>
  );
}
