/**
 * TEMPORARY (removed once every route answers with `respond`): the old two-audience helpers, already
 * answering problem documents so that every JSON error has one shape during the move.
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ProblemKind } from '../shared/problem.js';
import { sendProblem, wantsJson } from './respond.js';
import { STATUS_OF } from './problems.js';

export { wantsJson };

const KIND_OF_STATUS = new Map(Object.entries(STATUS_OF).map(([k, s]) => [s, k as ProblemKind]));

export function sendJsonErrors(reply: FastifyReply, status: number, message: string, errors: Record<string, string> = {}) {
  const kind = KIND_OF_STATUS.get(status) ?? 'invalid';
  return sendProblem(reply, { kind, code: `http_${status}`, message, errors });
}

export const errorResponse = z.object({ message: z.string(), errors: z.record(z.string(), z.string()).optional() });
