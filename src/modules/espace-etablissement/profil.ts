/**
 * « Présentation et contacts »: what the establishment writes on its public fiche, kept
 * per SIRET across campaigns in `etablissement_profils`: a presentation (≤ 2,000 characters), its
 * contacts (fonction, nom, courriel, téléphone; at least one once entered, at most 20) and its
 * websites (libellé + http/https URL, at most 10).
 *
 * Each change is one transaction: the row is locked, the change applied to what is there now,
 * audited and told to the establishment's administrators (tableau de bord). Contacts and sites are
 * addressed by their position; the form carries a `version` (a digest of the fiche it was built
 * from) so that two people editing at once cannot modify or remove the wrong line.
 */
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { audit, type AuditAction } from '../../infra/audit.js';
import type { Tx } from '../../infra/db/index.js';
import { etablissementProfils, type users } from '../../infra/db/schema.js';
import { conflict, invalidField, notFound, type Failure, type Outcome } from '../../shared/problem.js';
import { notify } from '../notifications/notify.js';
import { establishmentAdministrators, type Establishment } from './access.js';

type User = typeof users.$inferSelect;

export const PRESENTATION_MAX = 2000;
export const CONTACTS_MAX = 20;
export const SITES_MAX = 10;

/** A contact and a website of the fiche, every field a text (contracts.ts checks them). */
export type Contact = Record<'fonction' | 'nom' | 'courriel' | 'telephone', string>;
export type Site = Record<'libelle' | 'url', string>;
export interface Profil {
  presentation: string;
  contacts: Contact[];
  sites: Site[];
  updatedAt: Date | null;
  version: string;
}

/** The limits of the fiche, shown on its pages (a page takes them from its view, not from this module). */
export interface FicheLimits {
  presentation: number;
  contacts: number;
  sites: number;
  /** suggested functions of a contact */
  fonctions: readonly string[];
}

/** Functions the real platform's establishments name, offered as suggestions. */
export const FONCTIONS_SUGGEREES = [
  'Responsable relation entreprise',
  'Adjoint gestionnaire',
  'Chef d’établissement',
  'Directeur délégué aux formations',
  'Agent comptable',
  'Chargé de la taxe d’apprentissage',
] as const;

export const FICHE_LIMITS: FicheLimits = {
  presentation: PRESENTATION_MAX,
  contacts: CONTACTS_MAX,
  sites: SITES_MAX,
  fonctions: FONCTIONS_SUGGEREES,
};

// ── reading ───────────────────────────────────────────────────────────────────────────────────────

function versionOf(p: Pick<Profil, 'presentation' | 'contacts' | 'sites'>): string {
  return createHash('sha256')
    .update(JSON.stringify([p.presentation, p.contacts, p.sites]))
    .digest('base64url')
    .slice(0, 22);
}

function toProfil(row: typeof etablissementProfils.$inferSelect | undefined): Profil {
  const base = { presentation: row?.presentation ?? '', contacts: row?.contacts ?? [], sites: row?.sites ?? [] };
  return { ...base, updatedAt: row?.updatedAt ?? null, version: versionOf(base) };
}

export async function loadProfil(ctx: AppContext, siret: string): Promise<Profil> {
  const [row] = await ctx.db.select().from(etablissementProfils).where(eq(etablissementProfils.siret, siret));
  return toProfil(row);
}

// ── changing ──────────────────────────────────────────────────────────────────────────────────────

export type ProfilResult = Outcome;

/** Who changes the fiche of which establishment (the audit records the request's address). */
export interface Editor {
  user: User;
  etab: Establishment;
  meta: { ip?: string };
}

/** A change of the fiche: the new fiche and what the audit and the administrators are told, or a refusal. */
type Mutation = (
  p: Profil,
) =>
  | { next: Pick<Profil, 'presentation' | 'contacts' | 'sites'>; action: AuditAction; details: Record<string, unknown>; text: string }
  | Failure;

const STALE = conflict(
  'La fiche a été modifiée par une autre personne pendant que vous la consultiez : rechargez la page et recommencez.',
  'version_perimee',
);
const LINE_GONE = notFound('Cette ligne n’existe plus sur la fiche : rechargez la page.', 'ligne_introuvable');

/** Applies `mutation` to the fiche as it is now (row locked), audits it and tells the administrators. */
async function change(ctx: AppContext, ed: Editor, mutation: Mutation, opts: { create: boolean }): Promise<ProfilResult> {
  const { user, etab } = ed;
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx: Tx) => {
    if (opts.create)
      await tx.insert(etablissementProfils).values({ siret: etab.siret, updatedAt: now, updatedBy: user.id }).onConflictDoNothing();
    const [row] = await tx.select().from(etablissementProfils).where(eq(etablissementProfils.siret, etab.siret)).for('update');
    if (!row) return LINE_GONE;
    const m = mutation(toProfil(row));
    if ('problem' in m) return m;
    await tx
      .update(etablissementProfils)
      .set({ presentation: m.next.presentation, contacts: m.next.contacts, sites: m.next.sites, updatedAt: now, updatedBy: user.id })
      .where(eq(etablissementProfils.siret, etab.siret));
    await audit(tx, ctx.clock, {
      action: m.action,
      actorUserId: user.id,
      espaceId: user.espaceId,
      ip: ed.meta.ip ?? null,
      details: { siret: etab.siret, ...m.details },
    });
    const admins = await establishmentAdministrators(tx, etab.siret);
    await notify(
      tx,
      ctx,
      admins.map((a) => a.id),
      `SOLTéA – ${etab.ref.nom} : ${user.prenom} ${user.nom} ${m.text}`,
    );
    return { ok: true as const };
  });
}

/** Line `index` of the fiche the form was built from (an empty version: no check), or why it cannot be changed. */
function lineOf<L>(p: Profil, lines: readonly L[], index: number, version: string): { ok: true; line: L } | Failure {
  if (version !== '' && version !== p.version) return STALE;
  const line = lines[index];
  return line === undefined ? LINE_GONE : { ok: true, line };
}

export function updatePresentation(ctx: AppContext, ed: Editor, input: { presentation: string }) {
  return change(
    ctx,
    ed,
    (p) => ({
      next: { ...p, presentation: input.presentation },
      action: 'soltea_etablissement.presentation_changed',
      details: { length: input.presentation.length },
      text: 'a modifié la présentation de la fiche publique.',
    }),
    { create: true },
  );
}

/**
 * A list of lines of the fiche (contacts, websites): added up to `max`, modified or removed by position,
 * each change audited and told with the line's name. `keepOne`: the list keeps at least one line once
 * entered.
 */
interface LineList<L> {
  field: 'contacts' | 'sites';
  max: number;
  /** why another line cannot be added */
  full: Failure;
  keepOne?: Failure;
  actions: { added: AuditAction; updated: AuditAction; removed: AuditAction };
  /** what the audit keeps of a line */
  details: (line: L) => Record<string, unknown>;
  /** how the tableau de bord names it: « le contact « … » » */
  named: (line: L) => string;
}

function lineChanges<L>(list: LineList<L>) {
  const linesOf = (p: Profil) => p[list.field] as unknown as readonly L[];
  const withLines = (p: Profil, lines: readonly L[]): Profil => ({ ...p, [list.field]: lines });
  return {
    add: (ctx: AppContext, ed: Editor, line: L) =>
      change(
        ctx,
        ed,
        (p) =>
          linesOf(p).length >= list.max
            ? list.full
            : {
                next: withLines(p, [...linesOf(p), line]),
                action: list.actions.added,
                details: list.details(line),
                text: `a ajouté ${list.named(line)}.`,
              },
        { create: true },
      ),
    update: (ctx: AppContext, ed: Editor, index: number, input: L & { version: string }) => {
      const { version, ...rest } = input;
      const line = rest as unknown as L;
      return change(
        ctx,
        ed,
        (p) => {
          const at = lineOf(p, linesOf(p), index, version);
          if (!at.ok) return at;
          return {
            next: withLines(
              p,
              linesOf(p).map((x, i) => (i === index ? line : x)),
            ),
            action: list.actions.updated,
            details: { position: index + 1, ...list.details(line) },
            text: `a modifié ${list.named(line)}.`,
          };
        },
        { create: false },
      );
    },
    remove: (ctx: AppContext, ed: Editor, index: number, version: string) =>
      change(
        ctx,
        ed,
        (p) => {
          const at = lineOf(p, linesOf(p), index, version);
          if (!at.ok) return at;
          if (list.keepOne && linesOf(p).length <= 1) return list.keepOne;
          return {
            next: withLines(
              p,
              linesOf(p).filter((_, i) => i !== index),
            ),
            action: list.actions.removed,
            details: { position: index + 1, ...list.details(at.line) },
            text: `a supprimé ${list.named(at.line)}.`,
          };
        },
        { create: false },
      ),
  };
}

/** Contacts: at least one once entered, at most CONTACTS_MAX. */
const contacts = lineChanges<Contact>({
  field: 'contacts',
  max: CONTACTS_MAX,
  full: invalidField(
    'fonction',
    `La fiche compte déjà ${CONTACTS_MAX} contacts, le maximum : modifiez ou supprimez-en un.`,
    'contacts_complets',
  ),
  keepOne: conflict(
    'La fiche doit garder au moins un contact : ajoutez-en un autre avant de supprimer celui-ci, ou modifiez-le.',
    'dernier_contact',
  ),
  actions: {
    added: 'soltea_etablissement.contact_added',
    updated: 'soltea_etablissement.contact_updated',
    removed: 'soltea_etablissement.contact_removed',
  },
  details: (c) => ({ fonction: c.fonction, nom: c.nom }),
  named: (c) => `le contact « ${c.fonction} – ${c.nom} »`,
});

/** Websites: at most SITES_MAX. */
const sites = lineChanges<Site>({
  field: 'sites',
  max: SITES_MAX,
  full: invalidField('url', `La fiche compte déjà ${SITES_MAX} sites, le maximum : modifiez ou supprimez-en un.`, 'sites_complets'),
  actions: {
    added: 'soltea_etablissement.site_added',
    updated: 'soltea_etablissement.site_updated',
    removed: 'soltea_etablissement.site_removed',
  },
  details: (s) => ({ libelle: s.libelle, url: s.url }),
  named: (s) => `le site « ${s.libelle} » (${s.url})`,
});

export const { add: addContact, update: updateContact, remove: removeContact } = contacts;
export const { add: addSite, update: updateSite, remove: removeSite } = sites;
