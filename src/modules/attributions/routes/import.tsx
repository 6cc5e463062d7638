/**
 * « Importer des attributions » over HTTP:
 * - GET  /soltea/employeur/import             the page (format, model, export, upload form);
 * - POST /soltea/employeur/import             the file: a browser's multipart upload (field `fichier`,
 *   no JavaScript needed), or for software `text/csv` (the file itself; `?valider=0` to only save) or
 *   JSON `{ csv, valider }`; answers the page or JSON with the line-by-line report;
 * - GET  /soltea/employeur/import/modele.csv  a model (header and two example lines);
 * - GET  /soltea/employeur/export.csv         the current allocations in the same format.
 * Signed-in users only; a person habilitated to « SOLTéA - Employeurs » on no SIRET gets 403.
 * Programs get JSON here as they always have: a request that posts the file itself, or that does not
 * ask for HTML (`programsGetJson`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond, sendFile } from '../../../http/respond.js';
import { RATE_LIMITS } from '../../../http/rate-limits.js';
import { route } from '../../../http/route.js';
import { formatPercent } from '../../../shared/format.js';
import { problem, type Problem } from '../../../shared/problem.js';
import { MessagePage } from '../../../web/pages/public.js';
import { SolteaEmployeurImportPage, type SolteaEmployeurImportProps } from '../../../web/pages/soltea-employeur-import.js';
import { currentCampaign } from '../../campagnes/repository.js';
import { importJsonBody, validerOf } from '../contracts.js';
import { exportAttributions, modelCsv } from '../export-csv.js';
import { MAX_IMPORT_BYTES, MAX_IMPORT_LINES } from '../import-csv-read.js';
import { importAttributions, notOpen, rejected, type ImportFailure } from '../import-csv.js';
import { employerSirets } from '../scope.js';
import { tags } from './common.js';
import { parseMultipart, type UploadedFile } from './multipart.js';

/** The file (5 MB) plus the form's other fields and the multipart framing. */
export const IMPORT_BODY_LIMIT = MAX_IMPORT_BYTES + 64 * 1024;

const CHOOSE_FILE = 'Choisissez le fichier CSV de vos attributions, puis cliquez sur « Importer ».';

/** A request that posts the file itself (text/csv), or that does not ask for HTML, is a program's: it gets JSON. */
function programsGetJson(req: FastifyRequest, _reply: FastifyReply, done: () => void) {
  if (Buffer.isBuffer(req.body) || !req.headers.accept?.includes('text/html')) req.headers.accept = 'application/json';
  done();
}

const importResponse = z.object({ message: z.string(), modifies: z.number(), clients: z.array(z.any()) }).loose();

export async function importRoutes(app: FastifyInstance) {
  // Software may post the file itself; bytes, so that a Windows-1252 file is decoded like an upload.
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (req, body, done) => {
    const parsed = parseMultipart(body as Buffer, String(req.headers['content-type'] ?? ''));
    if (parsed) return done(null, parsed);
    done(Object.assign(new Error('Formulaire mal formé.'), { statusCode: 400 }), undefined);
  });
  app.setErrorHandler(unreadableFile);
  const doc = { tags, access: 'user' as const };
  app.get(
    '/soltea/employeur/import',
    route({
      ...doc,
      operationId: 'pageImportAttributions',
      summary: 'Importer des attributions (CSV) : la page, et pour un logiciel les SIRET concernés',
    }),
    showImport,
  );
  app.post(
    '/soltea/employeur/import',
    {
      ...route({
        ...doc,
        operationId: 'importerAttributions',
        summary:
          'Importer des attributions : fichier CSV (text/csv ; ?valider=0 pour seulement enregistrer), formulaire multipart (champ fichier) ou JSON { csv, valider }. Tout ou rien, compte rendu ligne par ligne.',
        body: importJsonBody,
        responses: { 200: importResponse },
        rateLimits: RATE_LIMITS.imports,
      }),
      bodyLimit: IMPORT_BODY_LIMIT,
      preHandler: programsGetJson,
    },
    upload,
  );
  app.get(
    '/soltea/employeur/import/modele.csv',
    {
      ...route({
        ...doc,
        operationId: 'modeleImportAttributions',
        summary: 'Modèle de fichier d’import des attributions (CSV, séparateur ;)',
      }),
      onRequest: programsGetJson,
    },
    downloadModel,
  );
  app.get(
    '/soltea/employeur/export.csv',
    {
      ...route({
        ...doc,
        operationId: 'exporterAttributionsCsv',
        summary: 'Exporter les attributions de chaque SIRET pour lequel l’utilisateur peut répartir (format de l’import)',
      }),
      onRequest: programsGetJson,
    },
    downloadExport,
  );
}

/** A body over the limit, or a form that cannot be read, is refused before the handler: a French message. */
async function unreadableFile(err: Error & { statusCode?: number }, req: FastifyRequest, reply: FastifyReply) {
  if (err.statusCode !== 413 && err.statusCode !== 400) throw err;
  const big = err.statusCode === 413;
  const p = big
    ? problem(
        'too_large',
        'fichier_trop_volumineux',
        'Le fichier dépasse la taille maximale de 5 Mo : découpez-le en plusieurs fichiers. Aucune attribution n’a été enregistrée.',
      )
    : problem(
        'invalid',
        'fichier_illisible',
        'Le fichier n’a pas pu être lu : choisissez à nouveau le fichier CSV puis cliquez sur « Importer ». Aucune attribution n’a été enregistrée.',
      );
  if (!req.headers.accept?.includes('text/html')) req.headers.accept = 'application/json';
  return respond(req, reply, { problem: p, title: big ? 'Fichier trop volumineux' : 'Fichier illisible', tone: 'error' });
}

function notOpenAnswer(req: FastifyRequest, reply: FastifyReply) {
  const p = notOpen().problem;
  return respond(req, reply, { problem: p, title: 'Service non accessible', tone: 'warning' });
}

/** The page's frame: the campaign and the person's SIRETs (null: none, 403). */
async function pageBase(req: FastifyRequest): Promise<Omit<SolteaEmployeurImportProps, 'valider'> | null> {
  const ctx = req.server.ctx;
  const annee = (await currentCampaign(ctx)).annee;
  const mine = await employerSirets(ctx, req.auth!.user, annee);
  if (mine.length === 0) return null;
  return {
    ctx: pageContext(req),
    annee,
    disponibles: mine.filter((m) => m.indisponible === null).length,
    indisponibles: mine
      .filter((m) => m.indisponible !== null)
      .map((m) => ({ siret: m.siret, denomination: m.denomination, raison: m.indisponible! })),
  };
}

async function showImport(req: FastifyRequest, reply: FastifyReply) {
  const base = await pageBase(req);
  if (!base) return notOpenAnswer(req, reply);
  return respond(req, reply, {
    json: {
      campagne: base.annee,
      format: {
        separateur: ';',
        colonnes: ['siret_employeur', 'siret_beneficiaire', 'formation', 'pourcentage'],
        facultatives: ['uai', 'lieu'],
        maxLignes: MAX_IMPORT_LINES,
        maxOctets: MAX_IMPORT_BYTES,
      },
      disponibles: base.disponibles,
      indisponibles: base.indisponibles,
    },
    page: () => <SolteaEmployeurImportPage {...base} valider />,
  });
}

type Upload = { ok: true; content: string | Uint8Array; fichier?: string } | { ok: false; failure: ImportFailure; fichier?: string };

/** The file of the request: posted as is, uploaded (field `fichier`), or as JSON `{ csv }`. */
function uploadOf(req: FastifyRequest): Upload {
  if (Buffer.isBuffer(req.body)) return { ok: true, content: req.body };
  const fields = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
  const file = fields.fichier;
  if (file && typeof file === 'object' && 'data' in file) {
    const { data, filename } = file as UploadedFile;
    const fichier = filename || undefined;
    if (data.length === 0) return { ok: false, failure: rejected(CHOOSE_FILE, [], 'fichier_absent'), ...(fichier ? { fichier } : {}) };
    return { ok: true, content: data, ...(fichier ? { fichier } : {}) };
  }
  const multipart = /multipart\/form-data/.test(req.headers['content-type'] ?? '');
  if (fields.csv === undefined && multipart) return { ok: false, failure: rejected(CHOOSE_FILE, [], 'fichier_absent') };
  const p = importJsonBody.safeParse(fields);
  if (!p.success)
    return {
      ok: false,
      failure: rejected(p.error.issues[0]?.message ?? 'Le contenu du fichier CSV est obligatoire.', [], 'fichier_absent'),
    };
  if (p.data.csv.length === 0) return { ok: false, failure: rejected(CHOOSE_FILE, [], 'fichier_absent') };
  return { ok: true, content: p.data.csv };
}

async function upload(req: FastifyRequest, reply: FastifyReply) {
  const fields = Buffer.isBuffer(req.body) ? {} : ((req.body ?? {}) as Record<string, unknown>);
  const valider = validerOf(fields, (req.query ?? {}) as Record<string, unknown>);
  const file = uploadOf(req);
  if (!file.ok) return refusedFile(req, reply, file.failure, valider, file.fichier);
  const outcome = await importAttributions(req.server.ctx, req.auth!.user, { content: file.content, valider, ip: req.ip });
  if (!outcome.ok) return refusedFile(req, reply, outcome, valider, file.fichier);
  const message =
    outcome.modifies === 0
      ? 'Le fichier est correct : il ne modifie aucune attribution.'
      : `Import terminé : ${outcome.modifies} SIRET mis à jour, ${outcome.lignes} ligne(s) lue(s).`;
  return respond(req, reply, {
    json: {
      message,
      campagne: outcome.annee,
      lignes: outcome.lignes,
      valider,
      modifies: outcome.modifies,
      clients: outcome.clients.map((c) => ({
        siret: c.siret,
        denomination: c.denomination,
        lignes: c.lignes,
        total: formatPercent(c.totalBp).replace(/\u00a0/g, ' '),
        totalPointsBase: c.totalBp,
        statut: c.statut,
        ajoutees: c.ajoutees,
        modifiees: c.modifiees,
        supprimees: c.supprimees,
        membres: c.membres,
      })),
    },
    page: async () => {
      const base = await pageBase(req);
      const result = { lignes: outcome.lignes, modifies: outcome.modifies, clients: outcome.clients, valider };
      return base ? <SolteaEmployeurImportPage {...base} valider={valider} result={result} /> : notOpenPage(req);
    },
  });
}

const notOpenPage = (req: FastifyRequest) => (
  <MessagePage ctx={pageContext(req)} title="Service non accessible" type="warning">
    {notOpen().problem.message}
  </MessagePage>
);

/** A refused file: the problem with its report (`rapport`), or the page with the report and the file's name. */
async function refusedFile(req: FastifyRequest, reply: FastifyReply, f: ImportFailure, valider: boolean, fichier?: string) {
  if (f.problem.kind === 'forbidden') return notOpenAnswer(req, reply);
  const p: Problem = f.problem;
  return respond(req, reply, {
    problem: p,
    page: async () => {
      const base = await pageBase(req);
      if (!base) return notOpenPage(req);
      return (
        <SolteaEmployeurImportPage {...base} valider={valider} error={p.message} report={f.report} {...(fichier ? { fichier } : {})} />
      );
    },
  });
}

async function downloadModel(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const annee = (await currentCampaign(ctx)).annee;
  if ((await employerSirets(ctx, req.auth!.user, annee)).length === 0) return notOpenAnswer(req, reply);
  return sendFile(reply, { name: 'modele-attributions.csv', type: 'text/csv; charset=utf-8', body: modelCsv() });
}

async function downloadExport(req: FastifyRequest, reply: FastifyReply) {
  const r = await exportAttributions(req.server.ctx, req.auth!.user);
  if (!r) return notOpenAnswer(req, reply);
  return sendFile(reply, { name: `attributions-${r.annee}.csv`, type: 'text/csv; charset=utf-8', body: r.csv });
}
