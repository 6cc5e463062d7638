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

export interface Contact {
  fonction: string;
  nom: string;
  courriel: string;
  telephone: string;
}
export interface Site {
  libelle: string;
  url: string;
}
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

// contacts: at least one once entered, at most CONTACTS_MAX

export function addContact(ctx: AppContext, ed: Editor, c: Contact) {
  return change(
    ctx,
    ed,
    (p) =>
      p.contacts.length >= CONTACTS_MAX
        ? invalidField(
            'fonction',
            `La fiche compte déjà ${CONTACTS_MAX} contacts, le maximum : modifiez ou supprimez-en un.`,
            'contacts_complets',
          )
        : {
            next: { ...p, contacts: [...p.contacts, c] },
            action: 'soltea_etablissement.contact_added',
            details: { fonction: c.fonction, nom: c.nom },
            text: `a ajouté le contact « ${c.fonction} – ${c.nom} ».`,
          },
    { create: true },
  );
}

export function updateContact(ctx: AppContext, ed: Editor, index: number, input: Contact & { version: string }) {
  const { version, ...contact } = input;
  return change(
    ctx,
    ed,
    (p) => {
      const at = lineOf(p, p.contacts, index, version);
      if (!at.ok) return at;
      return {
        next: { ...p, contacts: p.contacts.map((x, i) => (i === index ? contact : x)) },
        action: 'soltea_etablissement.contact_updated',
        details: { position: index + 1, fonction: contact.fonction, nom: contact.nom },
        text: `a modifié le contact « ${contact.fonction} – ${contact.nom} ».`,
      };
    },
    { create: false },
  );
}

export function removeContact(ctx: AppContext, ed: Editor, index: number, version: string) {
  return change(
    ctx,
    ed,
    (p) => {
      const at = lineOf(p, p.contacts, index, version);
      if (!at.ok) return at;
      if (p.contacts.length <= 1)
        return conflict(
          'La fiche doit garder au moins un contact : ajoutez-en un autre avant de supprimer celui-ci, ou modifiez-le.',
          'dernier_contact',
        );
      return {
        next: { ...p, contacts: p.contacts.filter((_, i) => i !== index) },
        action: 'soltea_etablissement.contact_removed',
        details: { position: index + 1, fonction: at.line.fonction, nom: at.line.nom },
        text: `a supprimé le contact « ${at.line.fonction} – ${at.line.nom} ».`,
      };
    },
    { create: false },
  );
}

// websites: at most SITES_MAX

export function addSite(ctx: AppContext, ed: Editor, s: Site) {
  return change(
    ctx,
    ed,
    (p) =>
      p.sites.length >= SITES_MAX
        ? invalidField('url', `La fiche compte déjà ${SITES_MAX} sites, le maximum : modifiez ou supprimez-en un.`, 'sites_complets')
        : {
            next: { ...p, sites: [...p.sites, s] },
            action: 'soltea_etablissement.site_added',
            details: { libelle: s.libelle, url: s.url },
            text: `a ajouté le site « ${s.libelle} » (${s.url}).`,
          },
    { create: true },
  );
}

export function updateSite(ctx: AppContext, ed: Editor, index: number, input: Site & { version: string }) {
  const site = { libelle: input.libelle, url: input.url };
  return change(
    ctx,
    ed,
    (p) => {
      const at = lineOf(p, p.sites, index, input.version);
      if (!at.ok) return at;
      return {
        next: { ...p, sites: p.sites.map((x, i) => (i === index ? site : x)) },
        action: 'soltea_etablissement.site_updated',
        details: { position: index + 1, libelle: site.libelle, url: site.url },
        text: `a modifié le site « ${site.libelle} » (${site.url}).`,
      };
    },
    { create: false },
  );
}

export function removeSite(ctx: AppContext, ed: Editor, index: number, version: string) {
  return change(
    ctx,
    ed,
    (p) => {
      const at = lineOf(p, p.sites, index, version);
      if (!at.ok) return at;
      return {
        next: { ...p, sites: p.sites.filter((_, i) => i !== index) },
        action: 'soltea_etablissement.site_removed',
        details: { position: index + 1, libelle: at.line.libelle, url: at.line.url },
        text: `a supprimé le site « ${at.line.libelle} ».`,
      };
    },
    { create: false },
  );
}
