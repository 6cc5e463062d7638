/**
 * How a use case says no. A refusal is a `Problem`: its kind (what sort of refusal, which the HTTP
 * layer turns into a status in one table, src/http/problems.ts), a stable machine code that API
 * clients can rely on, and the French message a person reads, with the per-field messages of a form.
 * Use cases never speak HTTP: they return problems, routes answer them.
 */

export type ProblemKind =
  /** the input breaks a rule: a form or a file to correct */
  | 'invalid'
  /** not signed in, or wrong credentials */
  | 'unauthenticated'
  /** signed in, but not allowed */
  | 'forbidden'
  /** not found, or not the caller's to see (another company's data answers the same) */
  | 'not_found'
  /** the state changed under the caller (a stale form, an action already done) */
  | 'conflict'
  /** a link or a step that has expired */
  | 'gone'
  /** a body or a file over its size limit */
  | 'too_large'
  /** a body in a format the route does not read */
  | 'unsupported_media_type'
  /** too many attempts: wait */
  | 'too_many_requests'
  /** the service cannot answer now (the database is down) */
  | 'unavailable'
  /** an error of ours (a bug): logged, never detailed to the caller */
  | 'internal';

export interface Problem {
  kind: ProblemKind;
  /** stable code for programs, e.g. `version_perimee`, `formulaire_invalide` */
  code: string;
  /** the French message a person reads */
  message: string;
  /** one French message per field of the form (shown beside the field) */
  errors?: Record<string, string>;
  /** other members of the JSON answer (RFC 9457 extension members), e.g. the current step */
  extra?: Record<string, unknown>;
  /** when to try again (a rate limit): sent as the `Retry-After` header */
  retryAfterSeconds?: number;
}

export type Failure = { ok: false; problem: Problem };

/** What a use case returns: its success (with what it has to say) or a problem. */
export type Outcome<T extends object = object> = ({ ok: true } & T) | Failure;

export function problem(
  kind: ProblemKind,
  code: string,
  message: string,
  more: Pick<Problem, 'errors' | 'extra' | 'retryAfterSeconds'> = {},
): Problem {
  return { kind, code, message, ...more };
}

export function failure(kind: ProblemKind, code: string, message: string, more: Pick<Problem, 'errors' | 'extra'> = {}): Failure {
  return { ok: false, problem: problem(kind, code, message, more) };
}

export const FORM_ERRORS = 'Le formulaire contient des erreurs.';

/** A form with one message per field (`formulaire_invalide`, 400). */
export function invalidForm(errors: Record<string, string>, message: string = FORM_ERRORS): Problem {
  return problem('invalid', 'formulaire_invalide', message, { errors });
}

/** One field refused by a rule of the use case. */
export function invalidField(field: string, message: string, code = 'champ_invalide'): Failure {
  return failure('invalid', code, message, { errors: { [field]: message } });
}

/** Too many attempts: wait until `retryAt` (the message says how long, the header too). */
export function tooManyRequests(code: string, message: (wait: string) => string, now: Date, retryAt: Date): Problem {
  const seconds = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000));
  const wait = seconds < 90 ? `${seconds} seconde${seconds > 1 ? 's' : ''}` : `${Math.ceil(seconds / 60)} minutes`;
  return problem('too_many_requests', code, message(wait), { retryAfterSeconds: seconds });
}

export const notFound = (message: string, code = 'introuvable'): Failure => failure('not_found', code, message);
export const conflict = (message: string, code = 'conflit'): Failure => failure('conflict', code, message);

/**
 * A problem thrown from inside a transaction (which rolls it back). Routes may catch it to show a page
 * of their own; otherwise the server answers it like any problem.
 */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}
