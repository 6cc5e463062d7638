/**
 * « Composition du portefeuille » and, per client company, « Choisir les établissements de
 * l’entreprise », « Gérer les déclarations de l’entreprise » and « Transférer l’entreprise ».
 */
import { findDeclaration } from '../../domain/declarations.js';
import { formatSiren } from '../../domain/identifiers.js';
import type { FieldErrors } from '../../shared/fields.js';
import type { ClientEtablissement } from '../../modules/gestion/portefeuilles-clients.js';
import type { ReactNode } from 'react';
import { Alert, CheckboxGroup, CsrfField, ErrorSummary, Input, Select } from '../components/form.js';
import { Table } from '../components/table.js';
import { PostButton } from '../components/buttons.js';
import { Layout, type PageContext } from '../layout.js';
import {
  base,
  FormButtons,
  ICONS,
  IconLink,
  Legend,
  LIST,
  MENU,
  Pagination,
  type ClientSummary,
  type PortefeuilleClients,
} from './portefeuilles-parts.js';

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

export function CompositionPage(
  props: {
    ctx: PageContext;
    siren?: unknown;
    errors?: FieldErrors;
    notice?: string;
  } & PortefeuilleClients,
) {
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

/** What every page about one company of a portefeuille is given. */
interface ClientPageProps {
  ctx: PageContext;
  portefeuille: { id: string; name: string };
  client: { siren: string; raisonSociale: string };
  errors?: FieldErrors;
}

/** A page about one company of a portefeuille: its title, the portefeuille and the company, the errors, then `children`. */
function ClientPage(props: ClientPageProps & { title: string; wide?: boolean; children: ReactNode }) {
  return (
    <Layout
      ctx={props.ctx}
      title={props.title}
      breadcrumb={[MENU, LIST, { href: base(props.portefeuille.id), label: 'Composition du portefeuille' }]}
      wide={props.wide}
    >
      <h1>{props.title}</h1>
      <p>
        Nom du portefeuille : <strong>{props.portefeuille.name}</strong>
        <br />
        Entreprise : <strong>{`${props.client.raisonSociale} (SIREN ${formatSiren(props.client.siren)})`}</strong>
      </p>
      <ErrorSummary errors={props.errors} />
      {props.children}
    </Layout>
  );
}

export function ClientEtablissementsPage(props: ClientPageProps & { etablissements: ClientEtablissement[] }) {
  const back = base(props.portefeuille.id);
  return (
    <ClientPage {...props} title="Choisir les établissements de l’entreprise" wide>
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
    </ClientPage>
  );
}

export function ClientDeclarationsPage(
  props: ClientPageProps & { available: string[]; present: Map<string, number>; chosenCount: number },
) {
  const back = base(props.portefeuille.id);
  return (
    <ClientPage {...props} title="Gérer les déclarations de l’entreprise">
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
    </ClientPage>
  );
}

export function TransferPage(props: ClientPageProps & { targets: { id: string; name: string }[] }) {
  const back = base(props.portefeuille.id);
  const targets = props.targets.filter((t) => t.id !== props.portefeuille.id);
  return (
    <ClientPage {...props} title="Transférer l’entreprise">
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
          <Select
            name="cible"
            label="Portefeuille de destination"
            required
            placeholder="Sélectionnez un portefeuille"
            options={targets.map((t) => ({ value: t.id, label: t.name }))}
            error={props.errors?.cible}
          />
          <p className="fr-text--sm">L’entreprise part avec ses établissements choisis, leurs déclarations et leurs habilitations.</p>
          <FormButtons cancel={back} />
        </form>
      )}
    </ClientPage>
  );
}
