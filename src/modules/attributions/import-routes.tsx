/**
 * « Importer des attributions » (issue 5 §5) over HTTP:
 * - GET  /soltea/employeur/import             the page (format, model, export, upload form);
 * - POST /soltea/employeur/import             the file: a browser's multipart upload (field `fichier`,
 *   no JavaScript needed), or for software `text/csv` (the file itself; `?valider=0` to only save) or
 *   JSON `{ csv, valider }`; answers the page or JSON with the line-by-line report;
 * - GET  /soltea/employeur/import/modele.csv  a model (header and two example lines);
 * - GET  /soltea/employeur/export.csv         the current allocations in the same format.
 * Signed-in users only; a person habilitated to « SOLTéA - Employeurs » on no SIRET gets 403.
 *
 * The project has no multipart plugin: this plugin reads `multipart/form-data` itself (parseMultipart,
 * bounded, in this plugin's scope only).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { sendJsonErrors, wantsJson } from '../../http/legacy.js';
import { pageContext, sendPage } from '../../http/respond.js';
import { requireUser } from '../../http/security.js';
import { formatPercent } from '../../shared/format.js';
import { MessagePage } from '../../web/pages/public.js';
import { SolteaEmployeurImportPage, type SolteaEmployeurImportProps } from '../../web/pages/soltea-employeur-import.js';
import { currentCampaign } from '../campagnes/repository.js';
import {
  exportAttributions,
  importAttributions,
  MAX_IMPORT_BYTES,
  modelCsv,
  NO_EMPLOYER_MESSAGE,
  type ImportOutcome,
} from './import-csv.js';
import { employerSirets } from './scope.js';

/** The file (5 MB) plus the form's other fields and the multipart framing. */
export const IMPORT_BODY_LIMIT = MAX_IMPORT_BYTES + 64 * 1024;

export interface UploadedFile {
  filename: string;
  data: Buffer;
}

/**
 * A `multipart/form-data` body → its fields (text) and files. Null when the body is not well formed.
 * At most 20 parts; a field of text at most 64 KB (the file is bounded by the route's body limit).
 */
export function parseMultipart(body: Buffer, contentType: string): Record<string, string | UploadedFile> | null {
  const m = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return null;
  const delimiter = Buffer.from(`--${boundary}`);
  const out: Record<string, string | UploadedFile> = Object.create(null);
  let pos = body.indexOf(delimiter);
  if (pos < 0) return null;
  for (let parts = 0; ; parts++) {
    pos += delimiter.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return out; // closing delimiter « --boundary-- »
    if (parts >= 20) return null;
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    else return null;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), pos);
    if (next < 0) return null;
    const part = body.subarray(pos, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) return null;
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const content = part.subarray(headerEnd + 4);
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(headers)?.[1] ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined || name === '__proto__') return null;
    if (filename !== undefined) out[name] = { filename: filename.replace(/^.*[\\/]/, '').slice(0, 200), data: Buffer.from(content) };
    else {
      if (content.length > 64 * 1024) return null;
      out[name] = content.toString('utf8');
    }
    pos = next + 2;
  }
}

const jsonBodySchema = z.object({
  csv: z.string({ error: 'Le contenu du fichier CSV (champ csv) est obligatoire.' }).max(MAX_IMPORT_BYTES, 'Le fichier dépasse 5 Mo.'),
  valider: z.union([z.boolean(), z.string()]).optional(),
});

const TRUE_WORDS = new Set(['1', 'true', 'on', 'oui', 'yes']);
const FALSE_WORDS = new Set(['0', 'false', 'off', 'non', 'no', '']);

/** « Valider les attributions »: on by default; a form that says it was sent (`envoye`) and leaves the box unticked means off. */
function validerOf(body: Record<string, unknown>, query: Record<string, unknown>): boolean {
  const v = body.valider ?? query.valider;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (TRUE_WORDS.has(s)) return true;
    if (FALSE_WORDS.has(s)) return false;
  }
  return body.envoye === undefined;
}

function csvReply(reply: FastifyReply, filename: string, body: string) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .send(body);
}

/** Routes of « Importer des attributions » (registered by src/http/server.ts). */
export async function attributionsImportRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;
  const signedIn = { preValidation: requireUser() };

  // Software may post the file itself; bytes, so that a Windows-1252 file is decoded like an upload.
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (req, body, done) => {
    const parsed = parseMultipart(body as Buffer, String(req.headers['content-type'] ?? ''));
    if (parsed) return done(null, parsed);
    const e = new Error('Formulaire mal formé.') as Error & { statusCode: number };
    e.statusCode = 400;
    done(e, undefined);
  });

  // A body over the limit is refused before it is read: a French message, in the page or in JSON.
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (err.statusCode !== 413 && err.statusCode !== 400) throw err;
    const message =
      err.statusCode === 413
        ? 'Le fichier dépasse la taille maximale de 5 Mo : découpez-le en plusieurs fichiers. Aucune attribution n’a été enregistrée.'
        : 'Le fichier n’a pas pu être lu : choisissez à nouveau le fichier CSV puis cliquez sur « Importer ». Aucune attribution n’a été enregistrée.';
    if (req.headers.accept?.includes('text/html'))
      return sendPage(
        reply,
        <MessagePage ctx={pageContext(req)} title={err.statusCode === 413 ? 'Fichier trop volumineux' : 'Fichier illisible'} type="error">
          {message}
        </MessagePage>,
        err.statusCode,
      );
    return reply.code(err.statusCode).send({ message, errors: {} });
  });

  const forbidden = (req: FastifyRequest, reply: FastifyReply) =>
    wantsJson(req) || !req.headers.accept?.includes('text/html')
      ? sendJsonErrors(reply, 403, NO_EMPLOYER_MESSAGE)
      : sendPage(
          reply,
          <MessagePage ctx={pageContext(req)} title="Service non accessible" type="warning">
            {NO_EMPLOYER_MESSAGE}
          </MessagePage>,
          403,
        );

  /** The page's frame: the campaign and the person's SIRETs (null: none, 403). */
  const pageBase = async (req: FastifyRequest): Promise<Omit<SolteaEmployeurImportProps, 'valider'> | null> => {
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
  };

  app.get(
    '/soltea/employeur/import',
    {
      ...signedIn,
      schema: {
        summary: 'Importer des attributions (CSV) : la page, et pour un logiciel les SIRET concernés',
        tags: ['SOLTéA - Employeurs'],
      },
    },
    async (req, reply) => {
      const base = await pageBase(req);
      if (!base) return forbidden(req, reply);
      if (wantsJson(req))
        return reply.send({
          campagne: base.annee,
          format: {
            separateur: ';',
            colonnes: ['siret_employeur', 'siret_beneficiaire', 'formation', 'pourcentage'],
            facultatives: ['uai', 'lieu'],
            maxLignes: 20_000,
            maxOctets: MAX_IMPORT_BYTES,
          },
          disponibles: base.disponibles,
          indisponibles: base.indisponibles,
        });
      return sendPage(reply, <SolteaEmployeurImportPage {...base} valider />);
    },
  );

  app.post(
    '/soltea/employeur/import',
    {
      ...signedIn,
      bodyLimit: IMPORT_BODY_LIMIT,
      attachValidation: true,
      schema: {
        summary:
          'Importer des attributions : fichier CSV (text/csv ; ?valider=0 pour seulement enregistrer), formulaire multipart (champ fichier) ou JSON { csv, valider }. Tout ou rien, compte rendu ligne par ligne.',
        tags: ['SOLTéA - Employeurs'],
      },
    },
    async (req, reply) => {
      const body = req.body;
      const query = (req.query ?? {}) as Record<string, unknown>;
      const asJson = Buffer.isBuffer(body) || wantsJson(req) || !req.headers.accept?.includes('text/html');
      let content: string | Uint8Array;
      let fichier: string | undefined;
      let valider = true;
      if (Buffer.isBuffer(body)) {
        content = body;
        valider = validerOf({}, query);
      } else {
        const fields = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
        valider = validerOf(fields, query);
        const file = fields.fichier;
        if (file && typeof file === 'object' && 'data' in file) {
          content = (file as UploadedFile).data;
          fichier = (file as UploadedFile).filename || undefined;
        } else if (fields.csv !== undefined || asJson) {
          const p = jsonBodySchema.safeParse(fields);
          if (!p.success)
            return answerFailure(
              req,
              reply,
              asJson,
              { ok: false, status: 400, message: p.error.issues[0]?.message ?? 'Le contenu du fichier CSV est obligatoire.', report: [] },
              valider,
            );
          content = p.data.csv;
        } else {
          return answerFailure(
            req,
            reply,
            asJson,
            {
              ok: false,
              status: 400,
              message: 'Choisissez le fichier CSV de vos attributions, puis cliquez sur « Importer ».',
              report: [],
            },
            valider,
          );
        }
        if (content.length === 0)
          return answerFailure(
            req,
            reply,
            asJson,
            {
              ok: false,
              status: 400,
              message: 'Choisissez le fichier CSV de vos attributions, puis cliquez sur « Importer ».',
              report: [],
            },
            valider,
            fichier,
          );
      }
      const outcome = await importAttributions(ctx, req.auth!.user, { content, valider, ip: req.ip });
      if (!outcome.ok) {
        if (outcome.status === 403) return forbidden(req, reply);
        return answerFailure(req, reply, asJson, outcome, valider, fichier);
      }
      const message =
        outcome.modifies === 0
          ? 'Le fichier est correct : il ne modifie aucune attribution.'
          : `Import terminé : ${outcome.modifies} SIRET mis à jour, ${outcome.lignes} ligne(s) lue(s).`;
      if (asJson)
        return reply.send({
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
        });
      const base = await pageBase(req);
      if (!base) return forbidden(req, reply);
      return sendPage(
        reply,
        <SolteaEmployeurImportPage
          {...base}
          valider={valider}
          result={{ lignes: outcome.lignes, modifies: outcome.modifies, clients: outcome.clients, valider }}
        />,
      );
    },
  );

  const answerFailure = async (
    req: FastifyRequest,
    reply: FastifyReply,
    asJson: boolean,
    outcome: Extract<ImportOutcome, { ok: false }>,
    valider: boolean,
    fichier?: string,
  ) => {
    if (asJson)
      return reply
        .code(outcome.status)
        .send({ message: outcome.message, errors: {}, rapport: outcome.report.map((r) => ({ ligne: r.line, message: r.message })) });
    const base = await pageBase(req);
    if (!base) return forbidden(req, reply);
    return sendPage(
      reply,
      <SolteaEmployeurImportPage
        {...base}
        valider={valider}
        error={outcome.message}
        report={outcome.report}
        {...(fichier ? { fichier } : {})}
      />,
      outcome.status,
    );
  };

  app.get(
    '/soltea/employeur/import/modele.csv',
    { ...signedIn, schema: { summary: 'Modèle de fichier d’import des attributions (CSV, séparateur ;)', tags: ['SOLTéA - Employeurs'] } },
    async (req, reply) => {
      const annee = (await currentCampaign(ctx)).annee;
      if ((await employerSirets(ctx, req.auth!.user, annee)).length === 0) return forbidden(req, reply);
      return csvReply(reply, 'modele-attributions.csv', modelCsv());
    },
  );

  app.get(
    '/soltea/employeur/export.csv',
    {
      ...signedIn,
      schema: {
        summary: 'Exporter les attributions de chaque SIRET pour lequel l’utilisateur peut répartir (format de l’import)',
        tags: ['SOLTéA - Employeurs'],
      },
    },
    async (req, reply) => {
      const r = await exportAttributions(ctx, req.auth!.user);
      if (!r) return forbidden(req, reply);
      return csvReply(reply, `attributions-${r.annee}.csv`, r.csv);
    },
  );
}
