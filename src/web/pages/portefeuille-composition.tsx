/**
 * « Composition du portefeuille » and, per client company, « Choisir les établissements de
 * l’entreprise », « Gérer les déclarations de l’entreprise » and « Transférer l’entreprise ».
 */
import { findDeclaration } from '../../domain/declarations.js';
import { formatSiren } from '../../domain/identifiers.js';
import type { FieldErrors } from '../../shared/fields.js';
import type { ClientEtablissement } from '../../modules/gestion/portefeuilles-clients.js';
import { Alert, CheckboxGroup, CsrfField, ErrorSummary, FieldMessages, Input } from '../components/form.js';
import { Table } from '../components/table.js';
import { PostButton } from '../components/buttons.js';
import { Layout, type PageContext } from '../layout.js';
import { base, FormButtons, ICONS, IconLink, Legend, LIST, MENU, Pagination, type ClientSummary } from './portefeuilles-parts.js';

// ── « Composition du portefeuille » ─────────────────────────────────────────────────────────────

/** « Ajouter une entreprise »: its SIREN brings all its active établissements. */
function AddCompanyForm(props: { ctx: PageContext; portefeuilleId: string; siren?: unknown; errors?: FieldErrors }) {
  return (
    <section className="fr-mb-4w no-print" aria-labelledby="ajouter-entreprise">
      <h2 className="fr-h5" id="ajouter-entreprise">
        Ajouter une entreprise
      </h2>
      <p>Pour ajouter une entreprise dans votre portefeuille saisissez le SIREN et cliquez sur « Valider ».</p>
      <form method="post" action={`${base(props.portefeuilleId)}/entreprises`} noValidate>
        <CsrfField token={props.ctx.csrfToken} />
        <Input
          name="siren"
          label="Siren"
          required
          value={props.siren}
          error={props.errors?.siren}
          inputMode="numeric"
          maxLength={20}
          hint="9 chiffres, par exemple 999 001 001."
        />
        <p className="fr-text--sm">
          NB : le SIREN permet automatiquement d’inscrire l’ensemble des établissements secondaires actifs y étant rattachés.
        </p>
        <FormButtons cancel={base(props.portefeuilleId)} />
      </form>
    </section>
  );
}

/** The client's mandate, as its administrators decided it (only an accepted one opens its establishment space). */
const MANDAT_BADGES: Record<string, { label: string; kind: string }> = {
  en_attente: { label: 'Mandat en attente', kind: 'warning' },
  accepte: { label: 'Mandat accepté', kind: 'success' },
  refuse: { label: 'Mandat refusé', kind: 'error' },
  revoque: { label: 'Mandat révoqué', kind: 'error' },
};

function MandatBadge(props: { statut: string | null }) {
  const b = props.statut ? MANDAT_BADGES[props.statut] : undefined;
  return b ? <span className={`fr-badge fr-badge--sm fr-badge--no-icon fr-badge--${b.kind}`}>{b.label}</span> : <>—</>;
}

/** One client company: its SIREN, name, type, chosen établissements, mandate and the icon buttons for it. */
function ClientLine(props: { ctx: PageContext; portefeuilleId: string; client: ClientSummary }) {
  const c = props.client;
  const about = `${c.raisonSociale} (${formatSiren(c.siren)})`;
  const cb = `${base(props.portefeuilleId)}/entreprises/${c.siren}`;
  return (
    <tr>
      <th scope="row">{formatSiren(c.siren)}</th>
      <td>{c.raisonSociale}</td>
      <td>{c.type}</td>
      <td>{`${c.chosenCount} sur ${c.activeCount}`}</td>
      <td>
        <MandatBadge statut={c.mandat} />
      </td>
      <td>
        <IconLink kind="etablissements" href={`${cb}/etablissements`} about={about} />
        <IconLink kind="declarationsEntreprise" href={`${cb}/declarations`} about={about} />
        {c.firstSiret ? <IconLink kind="habilitations" href={`/gestion/habilitations?siret=${c.firstSiret}`} about={about} /> : null}
        <IconLink kind="transferer" href={`${cb}/transfert`} about={about} />
        <PostButton
          csrfToken={props.ctx.csrfToken}
          action={`${cb}/retirer`}
          formClassName="inline-form"
          className={`fr-btn fr-btn--sm fr-btn--tertiary-no-outline ${ICONS.retirer.icon}`}
          title={`${ICONS.retirer.label} ${about}`}
          label={`${ICONS.retirer.label} ${about}`}
        />
      </td>
    </tr>
  );
}

export function CompositionPage(props: {
  ctx: PageContext;
  portefeuille: { id: string; name: string };
  clients: ClientSummary[];
  total: number;
  page: number;
  pages: number;
  siren?: unknown;
  errors?: FieldErrors;
  notice?: string;
}) {
  const p = props.portefeuille;
  return (
    <Layout ctx={props.ctx} title="Composition du portefeuille" breadcrumb={[MENU, LIST]} wide>
      <h1>Composition du portefeuille</h1>
      <p>
        Nom du portefeuille : <strong>{p.name}</strong>
      </p>
      {props.notice ? <Alert type="success">{props.notice}</Alert> : null}
      <ErrorSummary errors={props.errors} />
      <AddCompanyForm ctx={props.ctx} portefeuilleId={p.id} siren={props.siren} errors={props.errors} />
      <p className="fr-text--sm">
        Chaque entreprise ajoutée est prévenue et doit accepter votre mandat dans son espace (« Demande en attente ») : tant qu’elle ne l’a
        pas accepté, l’espace « SOLTéA - Etablissements » de ses établissements vous reste fermé.
      </p>
      <Table
        bordered
        caption={`Entreprises du portefeuille (${props.total})`}
        columns={['Entreprise', 'Raison sociale', 'Type', 'Établissements choisis', 'Mandat', 'Actions']}
        rows={props.clients}
        empty="La liste est vide"
        row={(c) => <ClientLine key={c.siren} ctx={props.ctx} portefeuilleId={p.id} client={c} />}
      />
      <Pagination
        page={props.page}
        pages={props.pages}
        href={(n) => `${base(p.id)}?page=${n}`}
        label="Pages des entreprises du portefeuille"
      />
      <Legend kinds={['etablissements', 'declarationsEntreprise', 'habilitations', 'transferer', 'retirer']} />
      <p className="fr-mt-3w">
        <a className="fr-btn fr-btn--secondary" href="/gestion/portefeuilles">
          Retour
        </a>
      </p>
    </Layout>
  );
}

function ClientHeader(props: { portefeuille: { name: string }; client: { siren: string; raisonSociale: string } }) {
  return (
    <p>
      Nom du portefeuille : <strong>{props.portefeuille.name}</strong>
      <br />
      Entreprise : <strong>{`${props.client.raisonSociale} (SIREN ${formatSiren(props.client.siren)})`}</strong>
    </p>
  );
}

export function ClientEtablissementsPage(props: {
  ctx: PageContext;
  portefeuille: { id: string; name: string };
  client: { siren: string; raisonSociale: string };
  etablissements: ClientEtablissement[];
  errors?: FieldErrors;
}) {
  const back = base(props.portefeuille.id);
  return (
    <Layout
      ctx={props.ctx}
      title="Choisir les établissements de l’entreprise"
      breadcrumb={[MENU, LIST, { href: back, label: 'Composition du portefeuille' }]}
      wide
    >
      <h1>Choisir les établissements de l’entreprise</h1>
      <ClientHeader {...props} />
      <ErrorSummary errors={props.errors} />
      <form method="post" action={`${back}/entreprises/${props.client.siren}/etablissements`}>
        <CsrfField token={props.ctx.csrfToken} />
        <Table
          bordered
          id="sirets"
          caption={`Établissements actifs de l’entreprise (${props.etablissements.length}) : cochez ceux pour lesquels vous déclarez`}
          columns={['Établissement (SIRET)', 'Dénomination', 'Adresse']}
          rows={props.etablissements}
          row={(e) => (
            <tr key={e.siret}>
              <th scope="row">
                <div className="fr-checkbox-group fr-checkbox-group--sm">
                  <input type="checkbox" id={`siret-${e.siret}`} name="sirets" value={e.siret} defaultChecked={e.chosen} />
                  <label className="fr-label" htmlFor={`siret-${e.siret}`}>
                    {`${e.siret}${e.estSiege ? ' (siège)' : ''}`}
                  </label>
                </div>
              </th>
              <td>{e.denomination}</td>
              <td>{[e.adresse, e.codePostal, e.libelleCommune].filter(Boolean).join(' ')}</td>
            </tr>
          )}
        />
        <FormButtons cancel={back} />
      </form>
    </Layout>
  );
}

export function ClientDeclarationsPage(props: {
  ctx: PageContext;
  portefeuille: { id: string; name: string };
  client: { siren: string; raisonSociale: string };
  available: string[];
  present: Map<string, number>;
  chosenCount: number;
  errors?: FieldErrors;
}) {
  const back = base(props.portefeuille.id);
  return (
    <Layout
      ctx={props.ctx}
      title="Gérer les déclarations de l’entreprise"
      breadcrumb={[MENU, LIST, { href: back, label: 'Composition du portefeuille' }]}
    >
      <h1>Gérer les déclarations de l’entreprise</h1>
      <ClientHeader {...props} />
      <ErrorSummary errors={props.errors} />
      {props.available.length === 0 ? (
        <Alert type="info">
          <p>
            Ce portefeuille n’a aucune déclaration. Choisissez-les d’abord avec{' '}
            <a href={`${back}/declarations`}>« Gérer les déclarations du portefeuille »</a>.
          </p>
        </Alert>
      ) : (
        <form method="post" action={`${back}/entreprises/${props.client.siren}/declarations`}>
          <CsrfField token={props.ctx.csrfToken} />
          <input type="hidden" name="envoye" value="1" />
          <CheckboxGroup
            name="declarations"
            legend="Déclarations de l’entreprise"
            hint={`Parmi les déclarations du portefeuille, celles qui s’appliquent aux ${props.chosenCount} établissement(s) choisi(s) de l’entreprise.`}
            error={props.errors?.declarations}
            empty=""
            options={props.available.map((code) => {
              const d = findDeclaration(code);
              const n = props.present.get(code) ?? 0;
              return {
                value: code,
                label: d ? `${d.name} - ${d.description}` : code,
                hint: n > 0 && n < props.chosenCount ? `Présente sur ${n} établissement(s) sur ${props.chosenCount}` : undefined,
                checked: n > 0,
              };
            })}
          />
          <FormButtons cancel={back} />
        </form>
      )}
    </Layout>
  );
}

export function TransferPage(props: {
  ctx: PageContext;
  portefeuille: { id: string; name: string };
  client: { siren: string; raisonSociale: string };
  targets: { id: string; name: string }[];
  errors?: FieldErrors;
}) {
  const back = base(props.portefeuille.id);
  const targets = props.targets.filter((t) => t.id !== props.portefeuille.id);
  return (
    <Layout ctx={props.ctx} title="Transférer l’entreprise" breadcrumb={[MENU, LIST, { href: back, label: 'Composition du portefeuille' }]}>
      <h1>Transférer l’entreprise</h1>
      <ClientHeader {...props} />
      <ErrorSummary errors={props.errors} />
      {targets.length === 0 ? (
        <Alert type="info">
          <p>
            Vous n’avez pas d’autre portefeuille. <a href="/gestion/portefeuilles/ajouter">Ajoutez un portefeuille</a> pour y transférer
            cette entreprise.
          </p>
        </Alert>
      ) : (
        <form method="post" action={`${back}/entreprises/${props.client.siren}/transfert`}>
          <CsrfField token={props.ctx.csrfToken} />
          <div className={`fr-select-group ${props.errors?.cible ? 'fr-select-group--error' : ''}`}>
            <label className="fr-label" htmlFor="cible">
              Portefeuille de destination <span aria-hidden="true">*</span>
            </label>
            <select className="fr-select" id="cible" name="cible" required defaultValue="" aria-describedby="cible-messages">
              <option value="" disabled>
                Sélectionnez un portefeuille
              </option>
              {targets.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
            <FieldMessages id="cible-messages" error={props.errors?.cible} />
          </div>
          <p className="fr-text--sm">L’entreprise part avec ses établissements choisis, leurs déclarations et leurs habilitations.</p>
          <FormButtons cancel={back} />
        </form>
      )}
    </Layout>
  );
}
