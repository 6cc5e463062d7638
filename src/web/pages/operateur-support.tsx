/**
 * « Recherche support » of the operator's space: a SIREN or SIRET, then, read-only, what the help desk
 * needs to answer a phone call (the company, envelopes, allocations given and received, payments, shares
 * not paid, bank details masked, administrators, recent account events). Each consultation is audited.
 */
import type { ReactNode } from 'react';
import { formatSiren, formatSiret } from '../../domain/identifiers.js';
import type { SupportView } from '../../modules/operateur/support.js';
import { formatDateTime, formatEuros, formatPercent } from '../../shared/format.js';
import type { FieldErrors } from '../../shared/fields.js';
import { Alert, ErrorSummary, Input } from '../components/form.js';
import { Table, type Column } from '../components/table.js';
import type { PageContext } from '../layout.js';
import { statutNonVersable } from './operateur-files.js';
import { OperatorFrame } from './operateur.js';

const right = (label: string): Column => ({ label, className: 'fr-cell--right' });

function Section<T>(props: {
  title: string;
  columns: readonly Column[];
  rows: readonly T[];
  empty: string;
  row: (r: T, i: number) => ReactNode;
}) {
  return (
    <section className="fr-mt-4w">
      <h2 className="fr-h4">{props.title}</h2>
      <Table
        caption={props.title}
        captionClassName="fr-sr-only"
        columns={props.columns}
        rows={props.rows}
        empty={props.empty}
        row={props.row}
      />
    </section>
  );
}

const cell = (values: readonly ReactNode[], key: string | number) => (
  <tr key={key}>
    {values.map((v, i) => (
      <td key={i}>{v}</td>
    ))}
  </tr>
);

function Company(props: { v: SupportView }) {
  const v = props.v;
  return (
    <>
      <Section
        title="Entreprise et établissements (répertoire)"
        columns={['SIRET', 'Dénomination', 'Commune', 'État']}
        rows={v.etablissements}
        empty={
          v.entreprise ? 'Aucun établissement de ce numéro dans le répertoire.' : 'Ce numéro est absent du répertoire des entreprises.'
        }
        row={(e) => cell([formatSiret(e.siret), e.denomination, e.commune ?? '', e.etat], e.siret)}
      />
      <Section
        title="Enveloppes (employeur)"
        columns={['Campagne', 'SIRET', 'Collecteur', right('Solde'), right('Frais'), right('Crédits à répartir')]}
        rows={v.enveloppes}
        empty="Aucune enveloppe."
        row={(e) =>
          cell(
            [
              e.annee,
              formatSiret(e.siret),
              e.collecteur,
              formatEuros(e.soldeCents),
              formatEuros(e.fraisCents),
              formatEuros(e.creditsCents),
            ],
            `${e.annee}-${e.siret}`,
          )
        }
      />
      <Section
        title="Attributions données (employeur)"
        columns={['Campagne', 'SIRET employeur', 'Établissement attributaire', 'Part', 'Statut']}
        rows={v.attributionsDonnees}
        empty="Aucune attribution donnée."
        row={(a, i) =>
          cell(
            [
              a.annee,
              formatSiret(a.siret),
              `${a.etablissement}${a.etablissementSiret ? ` (${formatSiret(a.etablissementSiret)})` : ''}`,
              formatPercent(a.bp),
              a.statut === 'validee' ? 'Validée' : 'Enregistrée',
            ],
            i,
          )
        }
      />
    </>
  );
}

function Payments(props: { v: SupportView }) {
  const v = props.v;
  return (
    <>
      <Section
        title="Attributions reçues (établissement)"
        columns={['Campagne', 'SIRET', 'Employeurs', 'Lignes d’attribution']}
        rows={v.attributionsRecues}
        empty="Aucune attribution reçue."
        row={(a) => cell([a.annee, formatSiret(a.siret), a.employeurs, a.lignes], `${a.annee}-${a.siret}`)}
      />
      <Section
        title="Coordonnées bancaires (IBAN masqué)"
        columns={['SIRET', 'IBAN', 'BIC', 'Statut']}
        rows={v.coordonnees}
        empty="Aucune coordonnée bancaire."
        row={(c) => cell([formatSiret(c.siret), c.ibanMasque, c.bic, c.statut], c.siret)}
      />
      <Section
        title="Virements reçus"
        columns={['Campagne', 'Vague', 'SIRET', right('Montant'), 'Statut']}
        rows={v.virements}
        empty="Aucun virement."
        row={(p, i) =>
          cell(
            [
              p.annee,
              p.vague === 0 ? 'Reliquat' : `n° ${p.vague}`,
              formatSiret(p.siret),
              formatEuros(p.cents),
              p.motif ? `${p.statut} (${p.motif})` : p.statut,
            ],
            i,
          )
        }
      />
      <Section
        title="Parts non versables (données ou reçues)"
        columns={['Campagne', 'Vague', 'Employeur', 'Établissement', right('Montant'), 'Motif', 'Statut']}
        rows={v.nonVersables}
        empty="Aucune part non versable."
        row={(n, i) =>
          cell(
            [
              n.annee,
              n.vague === 0 ? 'Reliquat' : `n° ${n.vague}`,
              formatSiret(n.employeur),
              formatSiret(n.beneficiaire),
              formatEuros(n.cents),
              n.motif,
              statutNonVersable(n.statut),
            ],
            i,
          )
        }
      />
    </>
  );
}

function Account(props: { v: SupportView }) {
  const v = props.v;
  return (
    <>
      <Section
        title="Administrateurs du compte"
        columns={['Nom', 'Courriel', 'Statut', 'Inscrit le']}
        rows={v.administrateurs}
        empty="Aucun administrateur : l’entreprise n’est pas inscrite sur net-entreprises."
        row={(a, i) => cell([a.nom, a.courriel, a.statut, formatDateTime(a.creeLe)], i)}
      />
      <Section
        title="Derniers événements du compte"
        columns={['Date', 'Événement', 'Par']}
        rows={v.evenements}
        empty="Aucun événement."
        row={(e, i) => cell([formatDateTime(e.at), e.action, e.acteur ?? ''], i)}
      />
    </>
  );
}

export function SupportPage(props: { ctx: PageContext; q: string; view: SupportView | null; errors?: FieldErrors; message?: string }) {
  const v = props.view;
  return (
    <OperatorFrame ctx={props.ctx} tab="support" title="Recherche support">
      <p>Consultation en lecture seule, pour répondre à un appel. Chaque consultation est enregistrée avec votre nom.</p>
      <ErrorSummary errors={props.errors} message={props.message} />
      <form method="get" action="/operateur/support" role="search" noValidate>
        <Input
          name="q"
          label="Numéro SIREN ou SIRET"
          hint="9 ou 14 chiffres, espaces permis."
          inputMode="numeric"
          maxLength={20}
          value={props.q}
          error={props.errors?.q}
        />
        <button className="fr-btn" type="submit">
          Rechercher
        </button>
      </form>
      {v ? (
        <div className="fr-mt-4w" id="resultat">
          <Alert type="info" title={v.entreprise ? v.entreprise.raisonSociale : 'Entreprise inconnue du répertoire'}>
            <p>
              {`SIREN ${formatSiren(v.siren)}${v.recherche.kind === 'siret' ? ` · recherche limitée au SIRET ${formatSiret(v.recherche.value)}` : ''}${v.entreprise ? ` · ${v.entreprise.etat}` : ''}`}
            </p>
          </Alert>
          <Company v={v} />
          <Payments v={v} />
          <Account v={v} />
        </div>
      ) : null}
    </OperatorFrame>
  );
}
