/**
 * « Présentation et contacts »: what the establishment writes on its public fiche (SOLTéA §4.3), kept
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
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { email, phone, text } from '../../shared/fields.js';
import { audit, type AuditAction } from '../../infra/audit.js';
import type { Tx } from '../../infra/db/index.js';
import { etablissementProfils, users } from '../../infra/db/schema.js';
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

/** Functions the real platform's establishments name (research/soltea.md §1.4), offered as suggestions. */
export const FONCTIONS_SUGGEREES = [
  'Responsable relation entreprise',
  'Adjoint gestionnaire',
  'Chef d’établissement',
  'Directeur délégué aux formations',
  'Agent comptable',
  'Chargé de la taxe d’apprentissage',
] as const;

// ── contracts ─────────────────────────────────────────────────────────────────────────────────────

const NAME_RE = /^[\p{L}][\p{L}\p{M} '’.-]*$/u;

/** A website address: http or https, a host with a dot (or localhost), no credentials, ≤ 500 characters. */
export function parseWebsite(input: string): { ok: true; value: string } | { ok: false; message: string } {
  const v = input.trim();
  if (v === '') return { ok: false, message: 'L’adresse du site est obligatoire.' };
  if (v.length > 500) return { ok: false, message: 'L’adresse du site : 500 caractères au maximum.' };
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(v) ? v : `https://${v}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, message: 'L’adresse du site n’est pas valide (exemple : https://www.mon-etablissement.fr).' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, message: 'L’adresse du site doit commencer par https:// ou http://.' };
  if (url.username || url.password)
    return { ok: false, message: 'L’adresse du site ne doit pas contenir d’identifiant ni de mot de passe.' };
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(url.hostname.replace(/^xn--/, '')) || /\.$/.test(url.hostname))
    return { ok: false, message: 'L’adresse du site n’est pas valide (exemple : https://www.mon-etablissement.fr).' };
  return { ok: true, value: url.toString() };
}

const version = z.preprocess((v) => (v === undefined || v === null ? '' : v), z.string().max(64));

/** Required, 2 to `max` characters: « est obligatoire » when empty, « 2 caractères au minimum » when too short. */
const required = (label: string, max: number) => text(label, max).refine((s) => s.length !== 1, `${label} : 2 caractères au minimum.`);

export const contactSchema = z.object({
  fonction: required('La fonction', 80),
  nom: required('Le nom du contact', 80).refine(
    (s) => s === '' || NAME_RE.test(s),
    'Le nom du contact : seuls les lettres, espaces, points, apostrophes et tirets sont acceptés.',
  ),
  courriel: email('Le courriel du contact'),
  telephone: phone('Le téléphone du contact', true),
});
export const contactChangeSchema = contactSchema.extend({ version });
export const removeSchema = z.object({ version });

export const siteSchema = z.object({
  libelle: required('Le libellé du site', 80),
  url: z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    z.string({ error: 'L’adresse du site : valeur incorrecte.' }).transform((s, ctx) => {
      const r = parseWebsite(s);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.message });
        return z.NEVER;
      }
      return r.value;
    }),
  ),
});
export const siteChangeSchema = siteSchema.extend({ version });

export const presentationSchema = z.object({
  presentation: z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    z
      .string({ error: 'La présentation : valeur incorrecte.' })
      .transform((s) => s.normalize('NFC').replace(/\r\n?/g, '\n').trim())
      .refine((s) => s.length <= PRESENTATION_MAX, `La présentation : ${PRESENTATION_MAX} caractères au maximum.`)
      .refine((s) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(s), 'La présentation contient des caractères non autorisés.'),
  ),
});

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

export type ProfilResult =
  | { ok: true }
  | { ok: false; code: 'not_found'; message: string }
  | { ok: false; code: 'conflict'; message: string }
  | { ok: false; code: 'invalid'; field: string; message: string };

type Mutation = (
  p: Profil,
) =>
  | { next: Pick<Profil, 'presentation' | 'contacts' | 'sites'>; action: AuditAction; details: Record<string, unknown>; text: string }
  | Exclude<ProfilResult, { ok: true }>;

const STALE = 'La fiche a été modifiée par une autre personne pendant que vous la consultiez : rechargez la page et recommencez.';
const LINE_GONE = 'Cette ligne n’existe plus sur la fiche : rechargez la page.';

async function change(
  ctx: AppContext,
  user: User,
  etab: Establishment,
  meta: { ip?: string },
  mutation: Mutation,
  opts: { create: boolean },
): Promise<ProfilResult> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx: Tx) => {
    if (opts.create)
      await tx.insert(etablissementProfils).values({ siret: etab.siret, updatedAt: now, updatedBy: user.id }).onConflictDoNothing();
    const [row] = await tx.select().from(etablissementProfils).where(eq(etablissementProfils.siret, etab.siret)).for('update');
    if (!row) return { ok: false, code: 'not_found', message: LINE_GONE };
    const m = mutation(toProfil(row));
    if ('ok' in m) return m;
    await tx
      .update(etablissementProfils)
      .set({ presentation: m.next.presentation, contacts: m.next.contacts, sites: m.next.sites, updatedAt: now, updatedBy: user.id })
      .where(eq(etablissementProfils.siret, etab.siret));
    await audit(tx, ctx.clock, {
      action: m.action,
      actorUserId: user.id,
      espaceId: user.espaceId,
      ip: meta.ip ?? null,
      details: { siret: etab.siret, ...m.details },
    });
    const admins = await establishmentAdministrators(tx, etab.siret, user.espaceId);
    await notify(
      tx,
      ctx,
      admins.map((a) => a.id),
      `SOLTéA – ${etab.ref.nom} : ${user.prenom} ${user.nom} ${m.text}`,
    );
    return { ok: true };
  });
}

const checkVersion = (p: Profil, v: string) => v === '' || v === p.version;

export function updatePresentation(
  ctx: AppContext,
  user: User,
  etab: Establishment,
  input: { presentation: string },
  meta: { ip?: string },
) {
  return change(
    ctx,
    user,
    etab,
    meta,
    (p) => ({
      next: { ...p, presentation: input.presentation },
      action: 'soltea_etablissement.presentation_changed',
      details: { length: input.presentation.length },
      text: 'a modifié la présentation de la fiche publique.',
    }),
    { create: true },
  );
}

export function addContact(ctx: AppContext, user: User, etab: Establishment, c: Contact, meta: { ip?: string }) {
  return change(
    ctx,
    user,
    etab,
    meta,
    (p) =>
      p.contacts.length >= CONTACTS_MAX
        ? {
            ok: false,
            code: 'invalid',
            field: 'fonction',
            message: `La fiche compte déjà ${CONTACTS_MAX} contacts, le maximum : modifiez ou supprimez-en un.`,
          }
        : {
            next: { ...p, contacts: [...p.contacts, c] },
            action: 'soltea_etablissement.contact_added',
            details: { fonction: c.fonction, nom: c.nom },
            text: `a ajouté le contact « ${c.fonction} – ${c.nom} ».`,
          },
    { create: true },
  );
}

export function updateContact(
  ctx: AppContext,
  user: User,
  etab: Establishment,
  index: number,
  c: Contact & { version: string },
  meta: { ip?: string },
) {
  return change(
    ctx,
    user,
    etab,
    meta,
    (p) => {
      if (!checkVersion(p, c.version)) return { ok: false, code: 'conflict', message: STALE };
      const old = p.contacts[index];
      if (!old) return { ok: false, code: 'not_found', message: LINE_GONE };
      const { version: _v, ...contact } = c;
      const contacts = p.contacts.map((x, i) => (i === index ? contact : x));
      return {
        next: { ...p, contacts },
        action: 'soltea_etablissement.contact_updated',
        details: { position: index + 1, fonction: contact.fonction, nom: contact.nom },
        text: `a modifié le contact « ${contact.fonction} – ${contact.nom} ».`,
      };
    },
    { create: false },
  );
}

export function removeContact(ctx: AppContext, user: User, etab: Establishment, index: number, v: string, meta: { ip?: string }) {
  return change(
    ctx,
    user,
    etab,
    meta,
    (p) => {
      if (!checkVersion(p, v)) return { ok: false, code: 'conflict', message: STALE };
      const old = p.contacts[index];
      if (!old) return { ok: false, code: 'not_found', message: LINE_GONE };
      if (p.contacts.length <= 1)
        return {
          ok: false,
          code: 'conflict',
          message: 'La fiche doit garder au moins un contact : ajoutez-en un autre avant de supprimer celui-ci, ou modifiez-le.',
        };
      return {
        next: { ...p, contacts: p.contacts.filter((_, i) => i !== index) },
        action: 'soltea_etablissement.contact_removed',
        details: { position: index + 1, fonction: old.fonction, nom: old.nom },
        text: `a supprimé le contact « ${old.fonction} – ${old.nom} ».`,
      };
    },
    { create: false },
  );
}

export function addSite(ctx: AppContext, user: User, etab: Establishment, s: Site, meta: { ip?: string }) {
  return change(
    ctx,
    user,
    etab,
    meta,
    (p) =>
      p.sites.length >= SITES_MAX
        ? {
            ok: false,
            code: 'invalid',
            field: 'url',
            message: `La fiche compte déjà ${SITES_MAX} sites, le maximum : modifiez ou supprimez-en un.`,
          }
        : {
            next: { ...p, sites: [...p.sites, s] },
            action: 'soltea_etablissement.site_added',
            details: { libelle: s.libelle, url: s.url },
            text: `a ajouté le site « ${s.libelle} » (${s.url}).`,
          },
    { create: true },
  );
}

export function updateSite(
  ctx: AppContext,
  user: User,
  etab: Establishment,
  index: number,
  s: Site & { version: string },
  meta: { ip?: string },
) {
  return change(
    ctx,
    user,
    etab,
    meta,
    (p) => {
      if (!checkVersion(p, s.version)) return { ok: false, code: 'conflict', message: STALE };
      if (!p.sites[index]) return { ok: false, code: 'not_found', message: LINE_GONE };
      const site = { libelle: s.libelle, url: s.url };
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

export function removeSite(ctx: AppContext, user: User, etab: Establishment, index: number, v: string, meta: { ip?: string }) {
  return change(
    ctx,
    user,
    etab,
    meta,
    (p) => {
      if (!checkVersion(p, v)) return { ok: false, code: 'conflict', message: STALE };
      const old = p.sites[index];
      if (!old) return { ok: false, code: 'not_found', message: LINE_GONE };
      return {
        next: { ...p, sites: p.sites.filter((_, i) => i !== index) },
        action: 'soltea_etablissement.site_removed',
        details: { position: index + 1, libelle: old.libelle, url: old.url },
        text: `a supprimé le site « ${old.libelle} ».`,
      };
    },
    { create: false },
  );
}
