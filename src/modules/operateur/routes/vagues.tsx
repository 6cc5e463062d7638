/**
 * « Vagues de versement » (docs/regles.md#versements, ADR 0007): the campaign's waves and their state;
 * « Préparer » (gestionnaire); the preview of a wave (totals by region and category, what is paid and
 * what cannot be, the transfers by page and as a CSV); « Approuver » by a valideur other than the
 * preparer, « Émettre », « Télécharger le fichier » (streamed, identical each time, its SHA-256 shown),
 * « Annuler ». The handlers call the use cases of src/modules/versements.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond, sendFile, readForm } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { textField } from '../../../shared/fields.js';
import { invalidForm, notFound, type Problem } from '../../../shared/problem.js';
import { WavePreviewPage, WavesListPage } from '../../../web/pages/operateur-vagues.js';
import { currentCampaign } from '../../campagnes/repository.js';
import { campaignWaves, TRANSFERS_PAGE_SIZE, wavePreview, waveState, waveTransfers, waveTransfersCsv } from '../../versements/apercu.js';
import { campaignYear } from '../../versements/cli-commands.js';
import { prepareWave } from '../../versements/preparation.js';
import { approveWave, cancelWave, issueWave, waveFileName, writeWaveFile } from '../../versements/vagues.js';
import { agentOf, notice, pageOf, pageQuery, tags, yearQuery } from './common.js';

const prepareSchema = z.object({
  annee: z.coerce.number({ error: 'L’année de la campagne est incorrecte.' }).int().min(2023).max(2100),
  numero: z.coerce.number({ error: 'Le numéro de vague est incorrect.' }).int().min(0).max(20),
});
const idParams = z.object({ id: z.string().regex(/^\d{1,12}$/) });
const waveAnswer = z.object({ message: z.string(), vagueId: z.number() }).loose();

export async function operateurVaguesRoutes(app: FastifyInstance) {
  const doc = { tags: tags.vagues, access: 'agent' as const };
  app.get(
    '/operateur/vagues',
    route({
      ...doc,
      operationId: 'operateurVagues',
      summary: 'Vagues de versement de la campagne',
      querystring: yearQuery,
    }),
    showList,
  );
  app.post(
    '/operateur/vagues/preparer',
    route({
      ...doc,
      role: 'gestionnaire',
      operationId: 'operateurPreparerVague',
      summary: 'Préparer (ou préparer à nouveau) une vague',
      body: prepareSchema,
      responses: { 201: waveAnswer },
    }),
    prepare,
  );
  app.get(
    '/operateur/vagues/:id',
    route({
      ...doc,
      operationId: 'operateurApercuVague',
      summary: 'Aperçu d’une vague : totaux, non versables, virements',
      params: idParams,
      querystring: pageQuery,
    }),
    showPreview,
  );
  app.get(
    '/operateur/vagues/:id/virements.csv',
    route({ ...doc, operationId: 'operateurVirementsCsv', summary: 'Les virements d’une vague (CSV)', params: idParams }),
    transfersCsv,
  );
  await changeRoutes(app);
}

/**
 * « Approuver », « Émettre », « Annuler »: each a POST on the wave that moves it to the state it is keyed
 * by, with the use case that does it and the notice that says it is done.
 */
const WAVE_CHANGES = {
  approuvee: {
    path: 'approuver',
    role: 'valideur',
    operationId: 'operateurApprouverVague',
    summary: 'Approuver une vague (un valideur autre que le préparateur)',
    useCase: approveWave,
    done: 'Vague approuvée.',
  },
  emise: {
    path: 'emettre',
    role: 'valideur',
    operationId: 'operateurEmettreVague',
    summary: 'Émettre le fichier de virements SEPA d’une vague approuvée',
    useCase: issueWave,
    done: 'Vague émise.',
  },
  annulee: {
    path: 'annuler',
    role: undefined,
    operationId: 'operateurAnnulerVague',
    summary: 'Annuler une vague préparée ou approuvée',
    useCase: cancelWave,
    done: 'Vague annulée.',
  },
} as const;
type WaveChange = keyof typeof WAVE_CHANGES;

/** The wave's changes of state, and the issued file. */
async function changeRoutes(app: FastifyInstance) {
  const doc = { tags: tags.vagues, access: 'agent' as const };
  for (const to of Object.keys(WAVE_CHANGES) as WaveChange[]) {
    const { path, role, operationId, summary } = WAVE_CHANGES[to];
    app.post(
      `/operateur/vagues/:id/${path}`,
      route({ ...doc, ...(role ? { role } : {}), operationId, summary, params: idParams, changes: true, responses: { 200: waveAnswer } }),
      (req, reply) => change(req, reply, to),
    );
  }
  app.get(
    '/operateur/vagues/:id/fichier',
    route({
      ...doc,
      operationId: 'operateurFichierVague',
      summary: 'Le fichier SEPA (pain.001.001.09) d’une vague émise, identique à chaque téléchargement',
      params: idParams,
    }),
    download,
  );
}

const idOf = (req: FastifyRequest) => Number((req.params as { id: string }).id);

async function yearOf(req: FastifyRequest): Promise<number> {
  return campaignYear(textField(req.query, 'annee')) ?? (await currentCampaign(req.server.ctx)).annee;
}

async function listPage(req: FastifyRequest, annee: number, problem?: Problem) {
  const vagues = await campaignWaves(req.server.ctx, annee);
  return (
    <WavesListPage
      ctx={pageContext(req)}
      annee={annee}
      vagues={vagues}
      notice={notice(req)}
      {...(problem ? { message: problem.message } : {})}
    />
  );
}

async function showList(req: FastifyRequest, reply: FastifyReply) {
  const annee = await yearOf(req);
  return respond(req, reply, {
    json: async () => ({
      annee,
      vagues: (await campaignWaves(req.server.ctx, annee)).map((v) => ({
        ...v,
        wave: v.wave && { ...v.wave, totalCents: String(v.wave.totalCents) },
      })),
    }),
    page: () => listPage(req, annee),
  });
}

async function prepare(req: FastifyRequest, reply: FastifyReply) {
  const parsed = readForm(req, reply, prepareSchema, async (wrong) => listPage(req, await yearOf(req), invalidForm(wrong.errors)));
  if (!parsed.ok) return parsed.answer;
  const r = await prepareWave(req.server.ctx, agentOf(req), parsed.data.annee, parsed.data.numero);
  if (!r.ok) return respond(req, reply, { problem: r.problem, page: () => listPage(req, parsed.data.annee, r.problem) });
  return respond(req, reply, {
    status: 201,
    json: {
      message: 'Vague préparée.',
      vagueId: r.vagueId,
      virements: r.nbVirements,
      totalCents: String(r.totalCents),
      nonVersables: r.nonVersables,
    },
    redirect: `/operateur/vagues/${r.vagueId}`,
    notice: 'preparee',
  });
}

async function previewPage(req: FastifyRequest, id: number, problem?: Problem) {
  const ctx = req.server.ctx;
  const preview = await wavePreview(ctx, id);
  if (!preview) return null;
  const page = pageOf(req);
  const transfers = await waveTransfers(ctx, id, page);
  const pages = Math.max(1, Math.ceil(transfers.total / TRANSFERS_PAGE_SIZE));
  return { preview, transfers, page, pages, problem };
}

async function showPreview(req: FastifyRequest, reply: FastifyReply) {
  const v = await previewPage(req, idOf(req));
  if (!v) return respond(req, reply, { problem: notFound('Cette vague de versement est introuvable.', 'vague_introuvable').problem });
  return respond(req, reply, {
    json: () => ({
      ...v.preview,
      wave: { ...v.preview.wave, totalCents: String(v.preview.wave.totalCents) },
      parRegion: v.preview.parRegion.map((s) => ({ ...s, cents: String(s.cents) })),
      parCategorie: v.preview.parCategorie.map((s) => ({ ...s, cents: String(s.cents) })),
      nonVersables: v.preview.nonVersables.map((s) => ({ ...s, cents: String(s.cents) })),
      virements: v.transfers.rows.map((t) => ({ ...t, cents: String(t.cents) })),
      page: v.page,
      pages: v.pages,
    }),
    page: () => <WavePreviewPage ctx={pageContext(req)} {...v} notice={notice(req)} />,
  });
}

async function transfersCsv(req: FastifyRequest, reply: FastifyReply) {
  const w = await waveState(req.server.ctx, idOf(req));
  if (!w) return respond(req, reply, { problem: notFound('Cette vague de versement est introuvable.', 'vague_introuvable').problem });
  const file = await waveTransfersCsv(req.server.ctx, w);
  return sendFile(reply, { name: file.name, type: 'text/csv; charset=utf-8', body: file.csv });
}

async function change(req: FastifyRequest, reply: FastifyReply, to: WaveChange) {
  const id = idOf(req);
  const r = await WAVE_CHANGES[to].useCase(req.server.ctx, agentOf(req), id);
  if (!r.ok) {
    const v = await previewPage(req, id, r.problem);
    return respond(req, reply, { problem: r.problem, ...(v ? { page: () => <WavePreviewPage ctx={pageContext(req)} {...v} /> } : {}) });
  }
  return respond(req, reply, {
    json: { message: WAVE_CHANGES[to].done, vagueId: id, statut: r.wave.statut, fichierSha256: r.wave.fichierSha256 },
    redirect: to === 'annulee' ? `/operateur/vagues?annee=${r.wave.annee}` : `/operateur/vagues/${id}`,
    notice: to,
  });
}

/** The issued wave's SEPA file, streamed as it is written (the same bytes as at the issue: its SHA-256 is on the page). */
async function download(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const w = await waveState(ctx, idOf(req));
  if (!w) return respond(req, reply, { problem: notFound('Cette vague de versement est introuvable.', 'vague_introuvable').problem });
  if (w.statut !== 'emise' || !w.emiseLe || !w.fichierSha256)
    return respond(req, reply, {
      problem: notFound('Cette vague n’a pas de fichier : il est écrit quand elle est émise.', 'fichier_absent').problem,
    });
  const out = new PassThrough();
  void writeWaveFile(ctx, ctx.db, w, out).catch((e: unknown) => out.destroy(e as Error));
  return reply
    .header('content-type', 'application/xml; charset=utf-8')
    .header('content-disposition', `attachment; filename="${waveFileName(w)}"`)
    .header('cache-control', 'no-store')
    .header('x-sha256', w.fichierSha256)
    .send(out);
}
