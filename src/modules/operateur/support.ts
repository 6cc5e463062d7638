/**
 * « Recherche support » of the operator's space: what the help desk needs to answer a phone call about a
 * company or one of its establishments. A SIRET or a SIREN shows, read-only, the company in the registry,
 * its envelopes, the allocations it gave (employer) and received (establishment), the payments to it and
 * the shares that could not be paid, its bank details (IBAN masked), its administrators and the recent
 * events of its account. Every consultation is audited (`operateur.support_consulte`, the agent and what
 * was looked up), in the transaction that reads. Only the looked-up SIREN's rows are read (its SIRETs are
 * its 9 first digits; a SIRET narrows everything to that establishment, the account's people and events
 * excepted, which belong to the company).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { BANK_STATUS_LABELS, isBankStatus, maskIban } from '../../domain/coordonnees-bancaires.js';
import { compactInput, parseSiren, parseSiret } from '../../domain/identifiers.js';
import { motifNonVersableLibelle } from '../../domain/non-versables.js';
import { audit } from '../../infra/audit.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import { invalidField, type Outcome } from '../../shared/problem.js';
import { ETATS } from '../gestion/declarants.js';

/** The family of an account event, in French, by the prefix of its action (the code is shown beside it). */
const EVENT_FAMILIES: [string, string][] = [
  ['login.', 'Connexion'],
  ['logout', 'Déconnexion'],
  ['session.', 'Session'],
  ['inscription.', 'Inscription'],
  ['email.', 'Adresse électronique'],
  ['password.', 'Mot de passe'],
  ['secret_', 'Question secrète'],
  ['candidat.', 'Candidat administrateur'],
  ['declarations.', 'Déclarations'],
  ['habilitations.', 'Habilitations'],
  ['declarant.', 'Déclarant'],
  ['invitation.', 'Invitation'],
  ['portefeuille.', 'Portefeuille'],
  ['mandat.', 'Mandat'],
  ['soltea_etablissement.', 'Page établissement'],
  ['bank_', 'Coordonnées bancaires'],
  ['attributions.', 'Attributions'],
  ['groupe.', 'Groupes'],
  ['non_versable.', 'Part non versable'],
];

export function eventLabel(action: string): string {
  const family = EVENT_FAMILIES.find(([prefix]) => action.startsWith(prefix))?.[1];
  return family ? `${family} (${action})` : action;
}

/** How many rows of each list are shown (the most recent first). */
export const SUPPORT_LIMIT = 50;
/** How many account events. */
export const SUPPORT_EVENTS = 20;

export interface SupportView {
  recherche: { kind: 'siren' | 'siret'; value: string };
  siren: string;
  entreprise: { raisonSociale: string; etat: string } | null;
  etablissements: { siret: string; denomination: string; commune: string | null; etat: string }[];
  enveloppes: { annee: number; siret: string; collecteur: string; creditsCents: bigint; fraisCents: bigint; soldeCents: bigint }[];
  attributionsDonnees: {
    annee: number;
    siret: string;
    etablissement: string;
    etablissementSiret: string | null;
    bp: number;
    statut: string;
  }[];
  attributionsRecues: { annee: number; siret: string; employeurs: number; lignes: number }[];
  virements: { annee: number; vague: number; siret: string; cents: bigint; statut: string; motif: string | null }[];
  nonVersables: { annee: number; vague: number; employeur: string; beneficiaire: string; cents: bigint; motif: string; statut: string }[];
  coordonnees: { siret: string; ibanMasque: string; bic: string; statut: string }[];
  administrateurs: { nom: string; courriel: string; statut: string; creeLe: Date }[];
  evenements: { at: Date; action: string; acteur: string | null }[];
}

/** « 552 100 554 » or « 552 100 554 00025 » (spaces, dots, dashes allowed) → what is looked up. */
export function parseSupportQuery(q: string): { ok: true; kind: 'siren' | 'siret'; value: string } | { ok: false; message: string } {
  const v = compactInput(q);
  if (v.length === 14) {
    const r = parseSiret(v);
    return r.ok ? { ok: true, kind: 'siret', value: r.value } : r;
  }
  if (v.length === 9) {
    const r = parseSiren(v);
    return r.ok ? { ok: true, kind: 'siren', value: r.value } : r;
  }
  return { ok: false, message: 'Saisissez un numéro SIREN (9 chiffres) ou SIRET (14 chiffres).' };
}

/** The SIRETs looked up: exactly the SIRET, or every SIRET of the SIREN. */
const sirets = (column: string, q: { kind: 'siren' | 'siret'; value: string }): SQL =>
  q.kind === 'siret' ? sql`${sql.raw(column)} = ${q.value}` : sql`left(${sql.raw(column)}, 9) = ${q.value}`;

type Q = { kind: 'siren' | 'siret'; value: string };

async function registry(tx: Tx, siren: string, q: Q) {
  const [e] = await selectRows<{ raison_sociale: string; etat_administratif: string }>(
    tx,
    sql`select raison_sociale, etat_administratif from entreprises where siren = ${siren}`,
  );
  const etabs = await selectRows<{ siret: string; denomination: string; libelle_commune: string | null; etat_administratif: string }>(
    tx,
    sql`select siret, denomination, libelle_commune, etat_administratif from etablissements where siren = ${siren} and ${sirets('siret', q)}
        order by siret limit ${SUPPORT_LIMIT}`,
  );
  return {
    entreprise: e ? { raisonSociale: e.raison_sociale, etat: e.etat_administratif === 'C' ? 'Cessée' : 'Active' } : null,
    etablissements: etabs.map((r) => ({
      siret: r.siret,
      denomination: r.denomination,
      commune: r.libelle_commune,
      etat: r.etat_administratif === 'F' ? 'Fermé' : 'Actif',
    })),
  };
}

async function employer(tx: Tx, q: Q) {
  const env = await selectRows<{ annee: number; siret: string; collecteur: string; credits: string; frais: string; solde: string }>(
    tx,
    sql`select annee, siret, collecteur, credits_cents::text as credits, frais_cents::text as frais, solde_cents::text as solde
          from enveloppes where ${sirets('siret', q)} order by annee desc, siret limit ${SUPPORT_LIMIT}`,
  );
  const given = await selectRows<{
    annee: number;
    siret_employeur: string;
    nom: string;
    siret: string | null;
    points_base: number;
    statut: string;
  }>(
    tx,
    sql`select a.annee, a.siret_employeur, r.nom, r.siret, a.points_base, a.statut
          from attributions a join ref_etablissements r on r.id = a.etablissement_id
         where ${sirets('a.siret_employeur', q)} order by a.annee desc, a.siret_employeur, a.points_base desc, a.id limit ${SUPPORT_LIMIT}`,
  );
  return {
    enveloppes: env.map((r) => ({
      annee: Number(r.annee),
      siret: r.siret,
      collecteur: r.collecteur,
      creditsCents: BigInt(r.credits),
      fraisCents: BigInt(r.frais),
      soldeCents: BigInt(r.solde),
    })),
    attributionsDonnees: given.map((r) => ({
      annee: Number(r.annee),
      siret: r.siret_employeur,
      etablissement: r.nom,
      etablissementSiret: r.siret,
      bp: Number(r.points_base),
      statut: r.statut,
    })),
  };
}

async function establishment(tx: Tx, q: Q) {
  const received = await selectRows<{ annee: number; siret: string; employeurs: number; lignes: number }>(
    tx,
    sql`select a.annee, r.siret, count(distinct a.siret_employeur)::int as employeurs, count(*)::int as lignes
          from attributions a join ref_etablissements r on r.id = a.etablissement_id
         where ${sirets('r.siret', q)} group by a.annee, r.siret order by a.annee desc, r.siret limit ${SUPPORT_LIMIT}`,
  );
  const paid = await selectRows<{ annee: number; numero: number; siret: string; cents: string; statut: string; motif: string | null }>(
    tx,
    sql`select v.annee, w.numero, v.beneficiaire_siret as siret, v.montant_cents::text as cents, v.statut, v.motif_libelle as motif
          from virements v join vagues_versement w on w.id = v.vague_id
         where ${sirets('v.beneficiaire_siret', q)} order by v.annee desc, w.numero desc, v.id limit ${SUPPORT_LIMIT}`,
  );
  const bank = await selectRows<{ siret: string; iban: string; bic: string; statut: string }>(
    tx,
    sql`select siret, iban, bic, statut from coordonnees_bancaires where remplacee_le is null and ${sirets('siret', q)} order by siret limit ${SUPPORT_LIMIT}`,
  );
  return {
    attributionsRecues: received.map((r) => ({ annee: Number(r.annee), siret: r.siret, employeurs: r.employeurs, lignes: r.lignes })),
    virements: paid.map((r) => ({
      annee: Number(r.annee),
      vague: Number(r.numero),
      siret: r.siret,
      cents: BigInt(r.cents),
      statut: r.statut,
      motif: r.motif,
    })),
    coordonnees: bank.map((r) => ({
      siret: r.siret,
      ibanMasque: maskIban(r.iban),
      bic: r.bic,
      statut: isBankStatus(r.statut) ? BANK_STATUS_LABELS[r.statut] : r.statut,
    })),
  };
}

async function unpaid(tx: Tx, q: Q) {
  const rows = await selectRows<{
    annee: number;
    numero: number;
    siret_employeur: string;
    beneficiaire_siret: string;
    cents: string;
    motif: string;
    motif_detail: string | null;
    statut: string;
  }>(
    tx,
    sql`select n.annee, w.numero, n.siret_employeur, n.beneficiaire_siret, n.montant_cents::text as cents, n.motif, n.motif_detail, n.statut
          from non_versables n join vagues_versement w on w.id = n.vague_id
         where ${sirets('n.siret_employeur', q)} or ${sirets('n.beneficiaire_siret', q)}
         order by n.annee desc, w.numero desc, n.id limit ${SUPPORT_LIMIT}`,
  );
  return rows.map((r) => ({
    annee: Number(r.annee),
    vague: Number(r.numero),
    employeur: r.siret_employeur,
    beneficiaire: r.beneficiaire_siret,
    cents: BigInt(r.cents),
    motif: motifNonVersableLibelle(r.motif, r.motif_detail),
    statut: r.statut,
  }));
}

async function account(tx: Tx, siren: string) {
  const admins = await selectRows<{ nom: string; email: string; status: string; created_at: string | Date }>(
    tx,
    sql`select u.prenom || ' ' || u.nom as nom, u.email, u.status, u.created_at
          from users u join espaces s on s.id = u.espace_id
         where s.siren = ${siren} and u.role = 'administrateur' and u.status not in ('removed', 'refused')
         order by u.created_at, u.id limit ${SUPPORT_LIMIT}`,
  );
  const events = await selectRows<{ at: string | Date; action: string; acteur: string | null }>(
    tx,
    sql`select e.at, e.action,
               coalesce((select u.prenom || ' ' || u.nom from users u where u.id = e.actor_user_id),
                        (select 'Opérateur : ' || a.prenom || ' ' || a.nom from agents a where a.id = e.actor_agent_id)) as acteur
          from audit_events e join espaces s on s.id = e.espace_id
         where s.siren = ${siren} order by e.at desc, e.id desc limit ${SUPPORT_EVENTS}`,
  );
  return {
    administrateurs: admins.map((r) => ({
      nom: r.nom,
      courriel: r.email,
      statut: ETATS[r.status] ?? r.status,
      creeLe: new Date(r.created_at),
    })),
    evenements: events.map((r) => ({ at: new Date(r.at), action: eventLabel(r.action), acteur: r.acteur })),
  };
}

/**
 * Looks up `query` (a SIREN or a SIRET) for the agent `agentId`: the view, read in one transaction that
 * also writes the consultation's audit event; a malformed number is refused with its French message and
 * audits nothing.
 */
export async function supportLookup(
  ctx: AppContext,
  agent: { agentId: string; ip?: string | null },
  query: string,
): Promise<Outcome<{ view: SupportView }>> {
  const q = parseSupportQuery(query);
  if (!q.ok) return invalidField('q', q.message, 'recherche_invalide');
  const siren = q.value.slice(0, 9);
  const view = await ctx.db.transaction(async (tx) => {
    const [reg, emp, etab, nonVersables, acc] = [
      await registry(tx, siren, q),
      await employer(tx, q),
      await establishment(tx, q),
      await unpaid(tx, q),
      await account(tx, siren),
    ];
    await audit(tx, ctx.clock, {
      action: 'operateur.support_consulte',
      actorAgentId: agent.agentId,
      ip: agent.ip ?? null,
      details: { recherche: q.value, type: q.kind, siren },
    });
    return { recherche: { kind: q.kind, value: q.value }, siren, ...reg, ...emp, ...etab, nonVersables, ...acc };
  });
  return { ok: true, view };
}
