/**
 * Contracts of « Recherche établissement » and of the fiche établissement (module recherche): the query
 * strings as the OpenAPI document describes them. The search's criteria are checked by their own rule
 * (domain/recherche.ts `parseCriteria`: one French message per field); the fiche's campaign here.
 */
import { z } from 'zod';
import { MAX_FIELD_LENGTH, PAGE_SIZE } from '../../domain/recherche.js';

/** The query string of the search, documented for the API (`parseCriteria` checks it). */
export const searchQuerySchema = z.object({
  q: z
    .string()
    .max(MAX_FIELD_LENGTH)
    .optional()
    .describe('Nom de l’établissement, SIRET (14 chiffres), SIREN (9 chiffres) ou code UAI (7 chiffres et une lettre)'),
  lieu: z.string().max(MAX_FIELD_LENGTH).optional().describe('Ville, code postal (5 chiffres), code ou nom de département, nom de région'),
  autourDe: z
    .string()
    .max(MAX_FIELD_LENGTH)
    .optional()
    .describe('Commune autour de laquelle chercher (nom, « Tours (37) » ou code postal)'),
  rayonKm: z.string().optional().describe('Rayon autour de la commune, en km (1 à 200, 10 par défaut)'),
  formation: z.string().max(MAX_FIELD_LENGTH).optional().describe('Mots de l’intitulé de la formation, ou son code diplôme (CFD)'),
  niveau: z.string().optional().describe('Niveau du cadre national des certifications, 3 à 8'),
  rncp: z.string().optional().describe('Code RNCP (RNCP12345 ou 12345)'),
  type: z.string().optional().describe('Type de diplôme (BTS, BAC PRO, CAP…)'),
  categorie: z.string().optional().describe('Catégorie de l’article L. 6241-5 du code du travail (1° à 13°)'),
  liste: z.enum(['regionale', 'nationale']).optional().describe('Liste d’habilitation'),
  page: z.string().optional().describe(`Page de résultats (${PAGE_SIZE} par page)`),
  annee: z.string().optional().describe('Campagne (par défaut la plus récente du référentiel)'),
});

/** The fiche's address: a SIRET (spaces allowed; anything else answers « introuvable »). */
export const ficheParams = z.object({
  siret: z
    .preprocess((v) => (typeof v === 'string' ? v : ''), z.string())
    .transform((s) => s.replace(/\s/g, ''))
    .describe('SIRET (14 chiffres)'),
});

export const CAMPAGNE_INCORRECTE = 'La campagne doit être une année sur quatre chiffres (exemple : 2025).';

/** `?annee=2025`: the campaign shown; absent, the latest in which the establishment is habilitated. */
export const ficheQuery = z.object({
  annee: z
    .preprocess(
      (v) => (typeof v === 'string' || typeof v === 'number' ? String(v) : v === undefined || v === null ? '' : '?').trim(),
      z
        .string()
        .refine((s) => s === '' || /^\d{4}$/.test(s), CAMPAGNE_INCORRECTE)
        .transform((s) => (s === '' ? null : Number(s))),
    )
    .describe('Campagne (par défaut la plus récente où figure l’établissement)'),
});
