/**
 * « Imports » of the operator's space (imports.ts): the history, one form per kind of file, the upload
 * (a gestionnaire's), and the page of one import with its progress and its report.
 * - GET  /operateur/imports                  the history (page and JSON)
 * - GET  /operateur/imports/:type            the form of a kind (enveloppes, referentiel, registre, encaissements, metiers)
 * - POST /operateur/imports/:type            the file (multipart form, or application/octet-stream with ?fichier=&annee=)
 * - GET  /operateur/imports/suivi/:id        one import: progress while it runs, then its report (the page's script polls its JSON)
 * The role and the size limit are checked before the body is read (onRequest hooks).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { requireAgent } from '../../../http/security.js';
import { parseBody, textField } from '../../../shared/fields.js';
import { failure, invalidForm, notFound, problem, type Problem } from '../../../shared/problem.js';
import { ImportFormPage, ImportJobPage, ImportsPage } from '../../../web/pages/operateur-imports.js';
import { parseEuroAmount } from '../../enveloppes/format.js';
import { importFieldsSchema } from '../contracts.js';
import { IMPORT_TYPE_INFO, formatLimit, isImportType, type ImportType } from '../import-types.js';
import { failAbandonedImports, importHistory, importJob, importsSettled, startImport, HISTORY_PAGE_SIZE } from '../imports.js';
import { meta, pageOf, pageQuery, tags } from './common.js';
import { dropUpload, isUpload, receiveMultipart, receiveRaw } from './upload.js';

const typeParams = z.object({ type: z.enum(['enveloppes', 'referentiel', 'registre', 'encaissements', 'metiers']) });
const jobParams = z.object({ id: z.string() });
const uploadQuery = z.object({ fichier: z.string().optional(), annee: z.string().optional(), frais: z.string().optional() });
const startedAnswer = z.object({ message: z.string(), id: z.number(), suivi: z.string() }).loose();

const typeOf = (req: FastifyRequest): ImportType | null => {
  const t = (req.params as { type?: string }).type;
  return isImportType(t) ? t : null;
};

const tooLarge = (type: ImportType): Problem =>
  problem(
    'too_large',
    'fichier_trop_gros',
    `Le fichier dépasse la taille maximale d’un import « ${IMPORT_TYPE_INFO[type].label} » (${formatLimit(IMPORT_TYPE_INFO[type].maxBytes)}) : il n’a pas été lu. Découpez-le ou importez-le en ligne de commande (${IMPORT_TYPE_INFO[type].commande}).`,
  );

/** Before a byte of the body is read: a gestionnaire, a known kind, a declared size within the limit. */
async function beforeBody(req: FastifyRequest, reply: FastifyReply) {
  const type = typeOf(req);
  if (!type) return respond(req, reply, { problem: notFound('Ce type d’import n’existe pas.').problem });
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > IMPORT_TYPE_INFO[type].maxBytes + 64 * 1024) {
    reply.header('connection', 'close');
    return respond(req, reply, { problem: tooLarge(type), title: 'Fichier trop volumineux' });
  }
}

export async function operateurImportsRoutes(app: FastifyInstance) {
  await failAbandonedImports(app.ctx);
  // a stop waits for the imports this process runs (each one is a single transaction: nothing half done)
  app.addHook('onClose', async () => importsSettled());
  app.addContentTypeParser('multipart/form-data', (req, body, done) => {
    const type = typeOf(req);
    if (!type) return done(null, {});
    receiveMultipart(body, String(req.headers['content-type'] ?? ''), IMPORT_TYPE_INFO[type].maxBytes).then(
      (up) => done(null, up),
      (e: Error) => done(e, undefined),
    );
  });
  app.addContentTypeParser('application/octet-stream', (req, body, done) => {
    const type = typeOf(req);
    if (!type) return done(null, {});
    receiveRaw(body, textField(req.query, 'fichier') || 'fichier', IMPORT_TYPE_INFO[type].maxBytes).then(
      (up) => done(null, up),
      (e: Error) => done(e, undefined),
    );
  });
  // a file no job took (a refusal, a form expired) is removed once answered
  app.addHook('onResponse', async (req) => {
    if (isUpload(req.body)) await dropUpload(req.body);
  });
  const doc = { tags: tags.imports, access: 'agent' as const };
  app.get(
    '/operateur/imports',
    route({
      ...doc,
      operationId: 'operateurImports',
      summary: 'Historique des imports',
      querystring: pageQuery,
    }),
    showHistory,
  );
  app.get(
    '/operateur/imports/suivi/:id',
    route({ ...doc, operationId: 'operateurImport', summary: 'Un import : sa progression, puis son compte rendu', params: jobParams }),
    showJob,
  );
  app.get(
    '/operateur/imports/:type',
    route({ ...doc, role: 'gestionnaire', operationId: 'operateurImportFormulaire', summary: 'Formulaire d’import', params: typeParams }),
    showForm,
  );
  app.post(
    '/operateur/imports/:type',
    {
      ...route({
        ...doc,
        role: 'gestionnaire',
        operationId: 'operateurImporter',
        summary:
          'Importer un fichier (formulaire multipart, champ fichier en dernier ; ou application/octet-stream avec ?fichier=&annee=) : l’import se poursuit en arrière-plan',
        params: typeParams,
        querystring: uploadQuery,
        changes: true,
        responses: { 202: startedAnswer },
      }),
      onRequest: [requireAgent('gestionnaire'), beforeBody],
    },
    upload,
  );
}

async function showHistory(req: FastifyRequest, reply: FastifyReply) {
  const page = pageOf(req);
  const { rows, total } = await importHistory(req.server.ctx, page);
  const pages = Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE));
  return respond(req, reply, {
    json: () => ({ total, page, pages, imports: rows }),
    page: () => <ImportsPage ctx={pageContext(req)} kinds={IMPORT_TYPE_INFO} rows={rows} total={total} page={page} pages={pages} />,
  });
}

async function showJob(req: FastifyRequest, reply: FastifyReply) {
  const id = Number((req.params as { id: string }).id);
  const job = Number.isSafeInteger(id) && id > 0 ? await importJob(req.server.ctx, id) : null;
  if (!job) return respond(req, reply, { problem: notFound('Cet import n’existe pas.').problem });
  return respond(req, reply, {
    json: () => job,
    page: () => <ImportJobPage ctx={pageContext(req)} job={job} label={IMPORT_TYPE_INFO[job.type]?.label ?? job.type} />,
  });
}

function showForm(req: FastifyRequest, reply: FastifyReply) {
  const type = typeOf(req)!;
  return respond(req, reply, { page: () => <ImportFormPage ctx={pageContext(req)} type={type} info={IMPORT_TYPE_INFO[type]} /> });
}

async function upload(req: FastifyRequest, reply: FastifyReply) {
  const type = typeOf(req)!;
  const body = req.body;
  const refuse = (p: Problem, values: Record<string, string> = {}) =>
    respond(req, reply, {
      problem: p,
      page: () => (
        <ImportFormPage
          ctx={pageContext(req)}
          type={type}
          info={IMPORT_TYPE_INFO[type]}
          message={p.message}
          errors={p.errors ?? {}}
          values={values}
        />
      ),
    });
  if (!isUpload(body)) return refuse(failure('unsupported_media_type', 'formulaire_attendu', CHOOSE).problem);
  const fields = { ...(req.query as Record<string, string>), ...body.fields };
  const values = { annee: fields.annee ?? '', frais: fields.frais ?? '' };
  if (body.refus === 'trop_gros') return refuse(tooLarge(type), values);
  if (body.refus || !body.file) return refuse(invalidForm({ fichier: CHOOSE }, CHOOSE), values);
  const parsed = parseBody(importFieldsSchema, fields);
  if (!parsed.ok) return refuse(invalidForm(parsed.errors), values);
  const info = IMPORT_TYPE_INFO[type];
  if (info.annee && parsed.data.annee === undefined) return refuse(invalidForm({ annee: 'Indiquez l’année de campagne.' }), values);
  let fraisCents: bigint | null = null;
  if (info.frais && parsed.data.frais) {
    const f = parseEuroAmount(parsed.data.frais);
    if (!f.ok) return refuse(invalidForm({ frais: `Les frais de l’opérateur : ${f.message}` }), values);
    fraisCents = f.value;
  }
  const r = await startImport(req.server.ctx, {
    agentId: req.agent!.agent.id,
    type,
    annee: parsed.data.annee ?? null,
    fraisCents,
    file: body.file,
    ip: meta(req).ip,
  });
  if (!r.ok) return refuse(r.problem, values);
  body.kept = true;
  const suivi = `/operateur/imports/suivi/${r.id}`;
  return respond(req, reply, {
    status: 202,
    json: { message: 'Le fichier est reçu : son import est en cours.', id: r.id, suivi },
    redirect: suivi,
  });
}

const CHOOSE = 'Choisissez le fichier à importer, puis cliquez sur « Importer ».';
