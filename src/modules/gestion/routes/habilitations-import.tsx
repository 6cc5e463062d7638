/**
 * « Modification en masse » of the habilitations: export the CSV, import a changed one (pasted in the
 * form, or sent as text/csv by a program). A body over 2 MB is refused before it is read.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond, sendFile } from '../../../http/respond.js';
import { RATE_LIMITS } from '../../../http/rate-limits.js';
import { route, browserPage } from '../../../http/route.js';
import { decodeText } from '../../../shared/text-decoding.js';
import { failure, problem, type Problem } from '../../../shared/problem.js';
import { HabilitationsImportPage } from '../../../web/pages/habilitations-import.js';
import { IMPORT_BODY_LIMIT, importFormSchema } from '../contracts.js';
import { exportCsv, importCsv } from '../habilitations-bulk.js';
import { reportOf } from '../habilitations-problems.js';
import { queryText, tags } from './common.js';
import { refused } from './habilitations-answers.js';

const TOO_LARGE = problem(
  'too_large',
  'fichier_trop_volumineux',
  'Le fichier dépasse la taille maximale de 2 Mo : découpez-le en plusieurs fichiers, un par période de 48 heures.',
);

export async function habilitationsImportRoutes(app: FastifyInstance) {
  // API clients may send the CSV itself (text/csv: its bytes, UTF-8 or Windows-1252, decoded like every
  // import's); browsers post the textarea (form).
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'buffer' }, (_req, body: Buffer, done) =>
    done(null, decodeText(body).text),
  );
  // A body over the limit is refused before it is read: a French message, in the page or in JSON.
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (err.statusCode !== 413) throw err;
    return respond(req, reply, {
      problem: TOO_LARGE,
      page: () => <HabilitationsImportPage ctx={pageContext(req)} error={TOO_LARGE.message} />,
    });
  });
  const doc = { tags: tags.habilitations, access: 'admin' as const };
  app.get(
    '/gestion/habilitations/export.csv',
    route({ ...doc, operationId: 'exporterHabilitationsCsv', summary: 'Exporter les habilitations (CSV, séparateur ;)' }),
    exportFile,
  );
  app.get('/gestion/habilitations/import', route({ ...doc, ...browserPage('pageImportHabilitations') }), importPage);
  app.post(
    '/gestion/habilitations/import',
    {
      ...route({
        ...doc,
        operationId: 'importerHabilitationsCsv',
        summary: 'Importer des habilitations (CSV en text/csv, ou champ csv du formulaire)',
        body: importFormSchema,
        rateLimits: RATE_LIMITS.imports,
      }),
      bodyLimit: IMPORT_BODY_LIMIT,
    },
    importFile,
  );
}

async function exportFile(req: FastifyRequest, reply: FastifyReply) {
  const csv = await exportCsv(req.server.ctx, req.auth!.user);
  return sendFile(reply, { name: 'habilitations.csv', type: 'text/csv; charset=utf-8', body: csv });
}

/** The import form; after an import that changed rights, its counts (`?notice=<lines>-<changes>`). */
async function importPage(req: FastifyRequest, reply: FastifyReply) {
  const notice = queryText(req, 'notice');
  const n = /^\d{1,6}-\d{1,7}$/.test(notice) ? notice.split('-') : null;
  const message = n
    ? `Import terminé : ${n[0]} ligne(s) lue(s), ${n[1]} habilitation(s) modifiée(s). Les personnes concernées ont été prévenues.`
    : undefined;
  return respond(req, reply, { page: () => <HabilitationsImportPage ctx={pageContext(req)} notice={message} /> });
}

/** A refused import: the form again with the pasted text and the line-by-line report (a program gets the problem). */
function importRefused(req: FastifyRequest, reply: FastifyReply, p: Problem, text: string) {
  const shown = text.length > 200_000 ? '' : text;
  return respond(req, reply, {
    problem: p,
    page: () => <HabilitationsImportPage ctx={pageContext(req)} csv={shown} error={p.message} report={reportOf(p)} />,
  });
}

async function importFile(req: FastifyRequest, reply: FastifyReply) {
  const isCsvBody = typeof req.body === 'string';
  let text = '';
  if (isCsvBody) text = req.body as string;
  else {
    const p = importFormSchema.safeParse(req.body && typeof req.body === 'object' ? req.body : {});
    if (!p.success)
      return importRefused(
        req,
        reply,
        failure('invalid', 'csv_manquant', p.error.issues[0]?.message ?? 'Collez le contenu du fichier CSV.').problem,
        '',
      );
    text = p.data.csv;
  }
  const r = await importCsv(req.server.ctx, req.auth!.user, text, req.ip);
  if (!r.ok)
    return r.problem.kind === 'forbidden' || r.problem.kind === 'not_found' || isCsvBody
      ? refused(req, reply, r.problem)
      : importRefused(req, reply, r.problem, text);
  const message = r.changes
    ? `Import terminé : ${r.lines} ligne(s) lue(s), ${r.changes} habilitation(s) modifiée(s).`
    : 'Le fichier est correct mais ne modifie aucune habilitation : rien n’a été appliqué.';
  const json = { message, lignes: r.lines, modifications: r.changes };
  if (!r.changes)
    return respond(req, reply, { json, page: () => <HabilitationsImportPage ctx={pageContext(req)} csv={text} notice={message} /> });
  return respond(req, reply, { json, redirect: '/gestion/habilitations/import', notice: `${r.lines}-${r.changes}` });
}
