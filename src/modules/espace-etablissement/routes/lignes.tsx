/**
 * The contacts and the websites of the public fiche: each added, modified or removed on its own page,
 * addressed by its position in the list (from 1). Both lists work the same way: one table of routes per
 * kind of line (`LineKind`), the same handlers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ReactElement } from 'react';
import type { z } from 'zod';
import type { AppContext } from '../../../app-context.js';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { messageResponse, parseBody, type FieldErrors } from '../../../shared/fields.js';
import { invalidForm, type Failure, type Problem } from '../../../shared/problem.js';
import { spaceUrl } from '../../../web/pages/soltea-etablissement.js';
import { ContactFormPage, RemovePage, SiteFormPage } from '../../../web/pages/soltea-etablissement-fiche.js';
import { contactChangeSchema, contactSchema, itemParams, removeSchema, siretParams, siteChangeSchema, siteSchema } from '../contracts.js';
import {
  addContact,
  addSite,
  CONTACTS_MAX,
  FICHE_LIMITS,
  loadProfil,
  removeContact,
  removeSite,
  SITES_MAX,
  updateContact,
  updateSite,
  type Contact,
  type Editor,
  type Profil,
  type ProfilResult,
  type Site,
} from '../profil.js';
import { editor, formRefusal, lineNotFound, position, tags, withSpace, type Space } from './common.js';
import { answerChange, changed } from './fiche.js';

type Doc = [operationId: string, summary: string];

interface FormProps {
  index: number | null;
  version: string;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
  message?: string;
}

/** A kind of line of the fiche: its URL, its contracts, its use cases, its pages; its notices (routes/common.tsx) are `<kind>-ajoute`, `-modifie`, `-supprime`. */
interface LineKind<L> {
  /** the segment of the URL: /soltea/etablissement/:siret/<path> */
  path: 'contacts' | 'sites';
  kind: 'contact' | 'site';
  max: number;
  addSchema: z.ZodType<L>;
  updateSchema: z.ZodType<L & { version: string }>;
  add: (ctx: AppContext, ed: Editor, line: L) => Promise<ProfilResult>;
  update: (ctx: AppContext, ed: Editor, i: number, line: L & { version: string }) => Promise<ProfilResult>;
  remove: (ctx: AppContext, ed: Editor, i: number, version: string) => Promise<ProfilResult>;
  /** the operations, and the pages only browsers use */
  docs: { add: Doc; update: Doc; remove: Doc; pages: [newForm: string, form: string, removal: string] };
  lines: (p: Profil) => readonly L[];
  /** how the removal page names the line */
  label: (line: L) => string;
  form: (req: FastifyRequest, s: Space, props: FormProps) => ReactElement;
}

const CONTACTS: LineKind<Contact> = {
  path: 'contacts',
  kind: 'contact',
  max: CONTACTS_MAX,
  addSchema: contactSchema,
  updateSchema: contactChangeSchema,
  add: addContact,
  update: updateContact,
  remove: removeContact,
  docs: {
    add: ['ajouterContact', 'Ajouter un contact (fonction, nom, courriel, téléphone)'],
    update: ['modifierContact', 'Modifier un contact (sa position dans la liste, à partir de 1)'],
    remove: ['supprimerContact', 'Supprimer un contact (la fiche en garde au moins un)'],
    pages: ['pageNouveauContact', 'pageContact', 'pageSuppressionContact'],
  },
  lines: (p) => p.contacts,
  label: (c) => `${c.fonction} - ${c.nom}`,
  form: (req, s, props) => <ContactFormPage ctx={pageContext(req)} head={s.head} fonctions={FICHE_LIMITS.fonctions} {...props} />,
};

const SITES: LineKind<Site> = {
  path: 'sites',
  kind: 'site',
  max: SITES_MAX,
  addSchema: siteSchema,
  updateSchema: siteChangeSchema,
  add: addSite,
  update: updateSite,
  remove: removeSite,
  docs: {
    add: ['ajouterSite', 'Ajouter un site internet (libellé, adresse http ou https ; 10 au maximum)'],
    update: ['modifierSite', 'Modifier un site internet (sa position dans la liste, à partir de 1)'],
    remove: ['supprimerSite', 'Supprimer un site internet'],
    pages: ['pageNouveauSite', 'pageSite', 'pageSuppressionSite'],
  },
  lines: (p) => p.sites,
  label: (site) => site.libelle,
  form: (req, s, props) => <SiteFormPage ctx={pageContext(req)} head={s.head} {...props} />,
};

export async function lignesRoutes(app: FastifyInstance) {
  lineRoutes(app, CONTACTS);
  lineRoutes(app, SITES);
}

function lineRoutes<L>(app: FastifyInstance, k: LineKind<L>) {
  const base = `/soltea/etablissement/:siret/${k.path}`;
  const [newForm, form, removal] = k.docs.pages;
  const page = (operationId: string) => route({ operationId, summary: '', tags, access: 'user', hide: true });
  const change = ([operationId, summary]: Doc, body: z.ZodType, params: z.ZodType = itemParams) =>
    route({ operationId, summary, tags, access: 'user', params, body, responses: { 200: messageResponse, 201: messageResponse } });
  const on = (handler: (k: LineKind<L>, req: FastifyRequest, reply: FastifyReply, s: Space) => Promise<FastifyReply>) =>
    withSpace((req, reply, s) => handler(k, req, reply, s));
  app.get(`${base}/nouveau`, page(newForm), on(showNewLine));
  app.post(base, change(k.docs.add, k.addSchema, siretParams), on(addLine));
  app.get(`${base}/:n`, page(form), on(showLine));
  app.post(`${base}/:n`, change(k.docs.update, k.updateSchema), on(updateLine));
  app.get(`${base}/:n/supprimer`, page(removal), on(showRemoval));
  app.post(`${base}/:n/supprimer`, change(k.docs.remove, removeSchema), on(removeLine));
}

const bodyValues = (req: FastifyRequest) => (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
const refused = (errors: FieldErrors): Failure => ({ ok: false, problem: invalidForm(errors) });

async function showNewLine<L>(k: LineKind<L>, req: FastifyRequest, reply: FastifyReply, s: Space) {
  return respond(req, reply, { page: () => k.form(req, s, { index: null, version: '' }) });
}

async function addLine<L>(k: LineKind<L>, req: FastifyRequest, reply: FastifyReply, s: Space) {
  const parsed = parseBody(k.addSchema, req.body);
  const r = parsed.ok ? await k.add(req.server.ctx, editor(req, s), parsed.data) : refused(parsed.errors);
  const form = (p: Problem) => k.form(req, s, { index: null, version: '', values: bodyValues(req), ...formRefusal(p) });
  return answerChange(req, reply, s, r, `${k.kind}-ajoute`, form, 201);
}

async function showLine<L>(k: LineKind<L>, req: FastifyRequest, reply: FastifyReply, s: Space) {
  const p = await loadProfil(req.server.ctx, s.etab.siret);
  const lines = k.lines(p);
  const i = position(req, lines.length);
  if (i === null) return lineNotFound(req, reply);
  return respond(req, reply, { page: () => k.form(req, s, { index: i, version: p.version, values: { ...lines[i] } }) });
}

/** The position is checked against the maximum here; against the fiche of the moment by the use case. */
async function updateLine<L>(k: LineKind<L>, req: FastifyRequest, reply: FastifyReply, s: Space) {
  const i = position(req, k.max);
  if (i === null) return lineNotFound(req, reply);
  const parsed = parseBody(k.updateSchema, req.body);
  const r = parsed.ok ? await k.update(req.server.ctx, editor(req, s), i, parsed.data) : refused(parsed.errors);
  const values = bodyValues(req);
  const version = typeof values.version === 'string' ? values.version : '';
  const form = (p: Problem) => k.form(req, s, { index: i, version, values, ...formRefusal(p) });
  return answerChange(req, reply, s, r, `${k.kind}-modifie`, form);
}

async function showRemoval<L>(k: LineKind<L>, req: FastifyRequest, reply: FastifyReply, s: Space) {
  const p = await loadProfil(req.server.ctx, s.etab.siret);
  const lines = k.lines(p);
  const i = position(req, lines.length);
  if (i === null) return lineNotFound(req, reply);
  return respond(req, reply, { page: () => removalPage(k, req, s, { index: i, line: lines[i]!, version: p.version }) });
}

/** After a refusal, the removal page again; when the line has gone meanwhile, the fiche. */
async function removeLine<L>(k: LineKind<L>, req: FastifyRequest, reply: FastifyReply, s: Space) {
  const i = position(req, k.max);
  if (i === null) return lineNotFound(req, reply);
  const parsed = parseBody(removeSchema, req.body);
  const r = parsed.ok ? await k.remove(req.server.ctx, editor(req, s), i, parsed.data.version) : refused(parsed.errors);
  if (r.ok) return changed(req, reply, s, `${k.kind}-supprime`);
  const p = await loadProfil(req.server.ctx, s.etab.siret);
  const line = k.lines(p)[i];
  if (line === undefined) return respond(req, reply, { problem: r.problem, redirect: spaceUrl(s.etab.siret, 'presentation') });
  return respond(req, reply, {
    problem: r.problem,
    page: () => removalPage(k, req, s, { index: i, line, version: p.version, message: r.problem.message }),
  });
}

function removalPage<L>(k: LineKind<L>, req: FastifyRequest, s: Space, r: { index: number; line: L; version: string; message?: string }) {
  return (
    <RemovePage
      ctx={pageContext(req)}
      head={s.head}
      kind={k.kind}
      index={r.index}
      label={k.label(r.line)}
      version={r.version}
      message={r.message}
    />
  );
}
