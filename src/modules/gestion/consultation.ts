/**
 * « Consultation » (the guide's « Votre espace entreprise »): the company's history of changes, for its
 * administrators — rights, déclarants, declarations, portefeuilles and allocations — read from the
 * audit trail of the company's espace only (tenancy in the query: `espace_id`), newest first, filtered
 * by kind, dates (Paris days) and person, 50 a page on screen, whole in the CSV export.
 */
import { and, eq, gte, inArray, lt, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { findDeclaration } from '../../domain/declarations.js';
import { addDays, parisStartOfDay, type Jour } from '../../domain/jours.js';
import type { AuditAction } from '../../infra/audit.js';
import type { Tx } from '../../infra/db/index.js';
import { auditEvents, users } from '../../infra/db/schema.js';
import { writeCsv } from '../../shared/csv.js';
import { historyPage } from './history-page.js';
import { adminOnly } from './habilitations-problems.js';
import type { User } from './scope.js';

export const CONSULTATION_PAGE_SIZE = 50;

/** The kinds of change shown, each with its French name and the audited actions it gathers. */
export const CONSULTATION_KINDS = {
  habilitations: { label: 'Habilitations', actions: ['habilitations.changed', 'habilitations.bulk_import'] },
  declarants: {
    label: 'Déclarants',
    actions: [
      'declarant.added',
      'declarant.updated',
      'declarant.suspended',
      'declarant.reactivated',
      'declarant.removed',
      'declarant.email_change',
      'invitation.accepted',
      'candidat.granted',
      'candidat.refused',
      'password.admin_reset',
    ],
  },
  declarations: { label: 'Déclarations', actions: ['declarations.changed'] },
  portefeuilles: {
    label: 'Portefeuilles',
    actions: [
      'portefeuille.created',
      'portefeuille.updated',
      'portefeuille.deleted',
      'portefeuille.declarants_changed',
      'portefeuille.declarations_changed',
      'portefeuille.client_added',
      'portefeuille.client_removed',
      'portefeuille.client_transferred',
      'portefeuille.etablissements_changed',
      'mandat.requested',
      'mandat.accepted',
      'mandat.refused',
      'mandat.revoked',
      'mandat.withdrawn',
    ],
  },
  attributions: {
    label: 'Attributions',
    actions: ['attributions.changed', 'attributions.partage_changed', 'attributions.imported', 'groupe.created', 'groupe.deleted'],
  },
} as const satisfies Record<string, { label: string; actions: readonly AuditAction[] }>;

export type ConsultationKind = keyof typeof CONSULTATION_KINDS;
export const CONSULTATION_KIND_KEYS = Object.keys(CONSULTATION_KINDS) as ConsultationKind[];

/** What each action is called on the page and in the CSV. */
const ACTION_LABELS: Record<string, string> = {
  'habilitations.changed': 'Habilitations modifiées',
  'habilitations.bulk_import': 'Habilitations importées (CSV)',
  'declarant.added': 'Déclarant ajouté',
  'declarant.updated': 'Déclarant modifié',
  'declarant.suspended': 'Déclarant suspendu',
  'declarant.reactivated': 'Déclarant réactivé',
  'declarant.removed': 'Déclarant supprimé',
  'declarant.email_change': 'Courriel d’un déclarant changé',
  'invitation.accepted': 'Invitation acceptée',
  'candidat.granted': 'Administrateur accordé',
  'candidat.refused': 'Administrateur refusé',
  'password.admin_reset': 'Mot de passe réinitialisé par un administrateur',
  'declarations.changed': 'Déclarations modifiées',
  'portefeuille.created': 'Portefeuille créé',
  'portefeuille.updated': 'Portefeuille modifié',
  'portefeuille.deleted': 'Portefeuille supprimé',
  'portefeuille.declarants_changed': 'Déclarants du portefeuille modifiés',
  'portefeuille.declarations_changed': 'Déclarations du portefeuille modifiées',
  'portefeuille.client_added': 'Entreprise ajoutée au portefeuille',
  'portefeuille.client_removed': 'Entreprise retirée du portefeuille',
  'portefeuille.client_transferred': 'Entreprise transférée',
  'portefeuille.etablissements_changed': 'Établissements de l’entreprise choisis',
  'mandat.requested': 'Mandat demandé',
  'mandat.accepted': 'Mandat accepté',
  'mandat.refused': 'Mandat refusé',
  'mandat.revoked': 'Mandat révoqué',
  'mandat.withdrawn': 'Mandat retiré',
  'attributions.changed': 'Attributions modifiées',
  'attributions.partage_changed': 'Partage de coordonnées modifié',
  'attributions.imported': 'Attributions importées (CSV)',
  'groupe.created': 'Groupe créé',
  'groupe.deleted': 'Groupe supprimé',
};

const KIND_OF = new Map<string, ConsultationKind>(
  CONSULTATION_KIND_KEYS.flatMap((k) => CONSULTATION_KINDS[k].actions.map((a) => [a, k] as const)),
);

export interface ConsultationFilters {
  kind?: ConsultationKind;
  /** first and last Paris day, included */
  du?: Jour;
  au?: Jour;
  /** the person who acted (a user of the espace) */
  personne?: string;
}

export interface ConsultationEntry {
  id: number;
  at: Date;
  kind: ConsultationKind;
  /** the French name of the change */
  label: string;
  actor: string;
  /** the person the change was about, when there is one */
  target: string;
  detail: string;
}

export interface ConsultationPage {
  entries: ConsultationEntry[];
  page: number;
  pages: number;
  total: number;
}

const actors = alias(users, 'consultation_actors');
const targets = alias(users, 'consultation_targets');

function conditions(espaceId: string, f: ConsultationFilters): SQL {
  const actions = f.kind ? CONSULTATION_KINDS[f.kind].actions : [...KIND_OF.keys()];
  return and(
    eq(auditEvents.espaceId, espaceId),
    inArray(auditEvents.action, [...actions]),
    f.du ? gte(auditEvents.at, parisStartOfDay(f.du)) : undefined,
    f.au ? lt(auditEvents.at, parisStartOfDay(addDays(f.au, 1))) : undefined,
    f.personne ? eq(auditEvents.actorUserId, f.personne) : undefined,
  )!;
}

/** One page of the company's history (`all`: every entry, for the CSV). A déclarant gets a 403. */
export async function consultHistory(
  tx: Tx,
  admin: User,
  filters: ConsultationFilters,
  opts: { page: number; all?: boolean },
): Promise<ConsultationPage> {
  if (admin.role !== 'administrateur' || admin.status !== 'active') throw adminOnly();
  const where = conditions(admin.espaceId, filters);
  const history = { table: auditEvents, where, size: CONSULTATION_PAGE_SIZE };
  const query = tx
    .select({
      id: auditEvents.id,
      at: auditEvents.at,
      action: auditEvents.action,
      details: auditEvents.details,
      aNom: actors.nom,
      aPrenom: actors.prenom,
      tNom: targets.nom,
      tPrenom: targets.prenom,
    })
    .from(auditEvents)
    // the people named are those of the same espace only
    .leftJoin(actors, and(eq(actors.id, auditEvents.actorUserId), eq(actors.espaceId, admin.espaceId)))
    .leftJoin(targets, and(eq(targets.id, auditEvents.targetUserId), eq(targets.espaceId, admin.espaceId)))
    .where(where)
    .$dynamic();
  return historyPage(tx, history, opts, query, (r) => ({
    kind: KIND_OF.get(r.action)!,
    label: ACTION_LABELS[r.action] ?? r.action,
    actor: r.aNom ? `${r.aPrenom} ${r.aNom}` : '',
    target: r.tNom ? `${r.tPrenom} ${r.tNom}` : '',
    detail: describeDetails(r.details),
  }));
}

/** The people of the espace, for the « Personne » filter (those who may have acted). */
export async function peopleOfEspace(tx: Tx, admin: User): Promise<{ id: string; label: string }[]> {
  const rows = await tx
    .select({ id: users.id, nom: users.nom, prenom: users.prenom })
    .from(users)
    .where(eq(users.espaceId, admin.espaceId))
    .orderBy(users.nom, users.prenom);
  return rows.map((r) => ({ id: r.id, label: `${r.nom} ${r.prenom}` }));
}

const declarationName = (code: unknown) => (typeof code === 'string' ? (findDeclaration(code)?.name ?? code) : String(code));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Up to three values, or how many people when they are user ids (the page names no id). */
function listOf(v: unknown, name: (x: unknown) => string = String): string | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  if (v.every((x) => typeof x === 'string' && UUID.test(x))) return `${v.length} personne${v.length > 1 ? 's' : ''}`;
  const shown = v.slice(0, 3).map(name).join(', ');
  return v.length > 3 ? `${shown}… (${v.length})` : shown;
}

/** A short French line from what the audit recorded (never a credential: the audit holds none). */
export function describeDetails(d: Record<string, unknown>): string {
  const parts: string[] = [];
  const add = (label: string, value: string | null) => {
    if (value) parts.push(`${label} ${value}`);
  };
  if (typeof d.name === 'string') add('portefeuille', `« ${d.name} »`);
  if (typeof d.siren === 'string') add('Siren', d.siren);
  if (typeof d.siret === 'string') add('Siret', d.siret);
  add('Siret', listOf(d.sirets));
  add('ajout :', listOf(d.added, declarationName));
  add('retrait :', listOf(d.removed, declarationName));
  add('déclarations :', listOf(d.declarations, declarationName));
  if (typeof d.changes === 'number') parts.push(`${d.changes} modification${d.changes > 1 ? 's' : ''}`);
  if (typeof d.lines === 'number') parts.push(`${d.lines} ligne${d.lines > 1 ? 's' : ''}`);
  return parts.join(' ; ');
}

/** The history as a spreadsheet file (`;`, BOM, formulas neutralised). */
export function consultationCsv(entries: readonly ConsultationEntry[]): string {
  return writeCsv(
    ['date', 'type', 'modification', 'par', 'personne concernee', 'detail'],
    entries.map((e) => [e.at.toISOString(), CONSULTATION_KINDS[e.kind].label, e.label, e.actor, e.target, e.detail]),
  );
}
