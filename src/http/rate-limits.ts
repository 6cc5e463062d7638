/**
 * The rate limits routes declare (`route({ rateLimits })`), counted in the database for every instance
 * (ADR 0002) and answered 429 with Retry-After. Per client address they stop floods and scraping without
 * hindering an office behind one address; per target they stop a flood on one company or one person.
 */
import type { FastifyRequest } from 'fastify';
import { textField } from '../shared/fields.js';
import type { RateLimit } from './route.js';

const HOUR = 3600;
const MINUTE = 60;

/** Digits of a SIRET sent in the body (the target of an inscription), or null. */
const siretOfBody = (req: FastifyRequest): string | null => textField(req.body, 'siret').replace(/\D/g, '').slice(0, 14) || null;

/** The triplet sent in the body, normalised (the target of a « mot de passe oublié »), or null. */
const tripletOfBody = (req: FastifyRequest): string | null => {
  const parts = ['siret', 'nom', 'prenom'].map((f) =>
    textField(req.body, f)
      .normalize('NFD')
      .replace(/[^\p{L}\p{N}]/gu, '')
      .toLowerCase(),
  );
  return parts.every((p) => p) ? parts.join('|').slice(0, 200) : null;
};

export const RATE_LIMITS = {
  /** a draft row per request: 20 inscriptions an hour from one address, 10 on one SIRET */
  inscription: [
    { name: 'inscription-adresse', limit: 20, windowSeconds: HOUR, by: 'address' },
    { name: 'inscription-siret', limit: 10, windowSeconds: HOUR, by: siretOfBody },
  ],
  /** a mail per request: 20 an hour from one address, 5 for one person */
  motDePasseOublie: [
    { name: 'oubli-adresse', limit: 20, windowSeconds: HOUR, by: 'address' },
    { name: 'oubli-personne', limit: 5, windowSeconds: HOUR, by: tripletOfBody },
  ],
  /** answers to secret questions from one address, over all accounts (each account also locks after 5) */
  questionSecrete: [{ name: 'question-adresse', limit: 30, windowSeconds: HOUR, by: 'address' }],
  /** mails asked again */
  courriel: [{ name: 'courriel-adresse', limit: 20, windowSeconds: HOUR, by: 'address' }],
  /** the public search and fiches: a person never reaches it, a scraper does */
  recherche: [{ name: 'recherche-adresse', limit: 300, windowSeconds: MINUTE, by: 'address' }],
  /** the registry look-up of the inscription form */
  registre: [{ name: 'registre-adresse', limit: 60, windowSeconds: MINUTE, by: 'address' }],
  /** file imports (the heaviest requests) */
  imports: [{ name: 'import-adresse', limit: 30, windowSeconds: HOUR, by: 'address' }],
} satisfies Record<string, readonly RateLimit[]>;
