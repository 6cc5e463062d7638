/**
 * Checks a pain.001.001.09 file against the two schemas kept beside this file (xsd/README.md says
 * where they come from): the ISO 20022 message schema and the EPC's SEPA implementation guidelines
 * (EPC132-08), docs/sepa.md#validation. libxml2 compiled to WebAssembly (`xmllint-wasm`): no native
 * tool needed. The file is validated in memory, so this is for tests and for checking a wave's file
 * once before it is issued, not for the streaming path.
 */
import { readFileSync } from 'node:fs';
import { validateXML, type XMLValidationError } from 'xmllint-wasm';

export const XSD_FILES = ['pain.001.001.09.xsd', 'EPC132-08_2025_V1.0_pain.001.001.09.xsd'] as const;
export type XsdFile = (typeof XSD_FILES)[number];

export interface SchemaCheck {
  schema: XsdFile;
  valid: boolean;
  /** libxml2's messages, without the file name */
  errors: string[];
}

const schemas = new Map<XsdFile, string>();
function schemaText(name: XsdFile): string {
  let text = schemas.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./xsd/${name}`, import.meta.url), 'utf8');
    schemas.set(name, text);
  }
  return text;
}

/** 64 KiB pages of WebAssembly memory: libxml2 holds the whole document, about 30 times its size. */
function memoryPages(bytes: number): number {
  const pages = Math.ceil((bytes * 30) / 65_536) + 512;
  return Math.min(65_536, Math.max(512, pages));
}

export interface FileCheck {
  name: string;
  /** true when both schemas accept the file */
  valid: boolean;
  checks: SchemaCheck[];
}

/**
 * libxml2's messages grouped by file: a message names its file (`c.xml:15: parser error…`), and the
 * lines that follow it without a name (the context and the caret) belong to the same file. A message
 * before any named one belongs to no file (`''`).
 */
function errorsByFile(errors: readonly XMLValidationError[], names: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current = '';
  for (const e of errors) {
    current = e.loc?.fileName ?? names.find((n) => e.rawMessage.startsWith(`${n} `) || e.rawMessage.startsWith(`${n}:`)) ?? current;
    out.set(current, [...(out.get(current) ?? []), e.message]);
  }
  return out;
}

/**
 * Validates several files against both schemas, one libxml2 run per schema for all of them (starting
 * libxml2 costs more than validating a small file). File names must be distinct.
 */
export async function validatePain001Files(files: readonly { name: string; xml: string | Uint8Array }[]): Promise<FileCheck[]> {
  const names = files.map((f) => f.name);
  const size = files.reduce((n, f) => n + (typeof f.xml === 'string' ? Buffer.byteLength(f.xml) : f.xml.byteLength), 0);
  const results = new Map(files.map((f) => [f.name, [] as SchemaCheck[]]));
  for (const schema of XSD_FILES) {
    const r = await validateXML({
      xml: files.map((f) => ({ fileName: f.name, contents: f.xml })),
      schema: [{ fileName: schema, contents: schemaText(schema) }],
      maxMemoryPages: memoryPages(size),
    });
    const byFile = errorsByFile(r.errors, names);
    // messages that name no file (libxml2 could not start) count against every file
    const unattributed = byFile.get('') ?? [];
    if (!r.valid && r.errors.length === 0) unattributed.push(r.rawOutput || 'xmllint : échec sans message');
    for (const name of names) {
      const errors = [...(byFile.get(name) ?? []), ...unattributed];
      results.get(name)?.push({ schema, valid: errors.length === 0, errors });
    }
  }
  return names.map((name) => {
    const checks = results.get(name) ?? [];
    return { name, valid: checks.every((c) => c.valid), checks };
  });
}

/** Validates one file against both schemas; `valid` only when both accept it. */
export async function validatePain001(xml: string | Uint8Array): Promise<{ valid: boolean; checks: SchemaCheck[] }> {
  const [file] = await validatePain001Files([{ name: 'pain001.xml', xml }]);
  return { valid: file?.valid ?? false, checks: file?.checks ?? [] };
}
