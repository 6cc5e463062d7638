/**
 * `npm run pglite-cluster`: writes `seed/pglite/cluster.tar.br`, the empty PostgreSQL cluster a new
 * PGlite folder starts from (src/infra/db/pglite-folder.ts), made by the installed PGlite's own initdb
 * and compressed with brotli. Run it again after upgrading @electric-sql/pglite to another PostgreSQL
 * version (test/infra/pglite-folder.test.ts says when the shipped one no longer opens).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { SHIPPED_CLUSTER } from '../src/infra/db/pglite-folder.js';

const pg = new PGlite('memory://');
await pg.waitReady;
const version = (await pg.query<{ server_version: string }>('show server_version')).rows[0]!.server_version;
const tar = new Uint8Array(await (await pg.dumpDataDir('none')).arrayBuffer());
await pg.close();
const packed = brotliCompressSync(tar, {
  params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: tar.length },
});
mkdirSync(dirname(SHIPPED_CLUSTER), { recursive: true });
writeFileSync(SHIPPED_CLUSTER, packed);
console.log(`Cluster vide de PostgreSQL ${version} (PGlite) : ${(packed.length / 1e6).toFixed(1)} Mo dans ${SHIPPED_CLUSTER}`);
