/**
 * A signed-in person for the fault tests that talk to a real process over HTTP: the registry's fixed
 * demo company BOULANGERIE MOUTIN with one active administrator (written directly, as the demo seed
 * does), and a sign-in through `POST /connexion` as payroll software would (JSON, CSRF token).
 */
import type { Db } from '../../src/infra/db/index.js';
import { hashSecret } from '../../src/infra/crypto.js';
import { espaces, users } from '../../src/infra/db/schema.js';
import { generateDemoRegistry, DEMO_COMPANIES } from '../../src/demo/registry.js';
import { loginKey } from '../../src/modules/accounts/login-key.js';
import { importRegistryRows } from '../../src/modules/entreprises/import-registry.js';

export const PERSON = {
  siret: DEMO_COMPANIES.boulangerieMoutin.siret,
  nom: 'MOUTIN',
  prenom: 'Claire',
  password: 'Fournil-du-matin-42',
};

export async function seedPerson(db: Db, now: Date): Promise<void> {
  await importRegistryRows(db, generateDemoRegistry({ count: 0, seed: 1 }), { now });
  const [espace] = await db
    .insert(espaces)
    .values({
      siren: DEMO_COMPANIES.boulangerieMoutin.siren,
      siret: PERSON.siret,
      kind: 'entreprise',
      organisationType: 'entreprise_privee',
      domains: ['dsn'],
    })
    .returning();
  await db.insert(users).values({
    espaceId: espace!.id,
    siret: PERSON.siret,
    nom: PERSON.nom,
    prenom: PERSON.prenom,
    loginKey: loginKey(PERSON.nom, PERSON.prenom),
    email: 'claire.moutin@boulangerie-moutin.example',
    role: 'administrateur',
    status: 'active',
    passwordHash: await hashSecret(PERSON.password),
    secretQuestion: 'Quel est le nom de la rue de votre enfance ?',
    secretAnswerHash: await hashSecret('Rue des Lilas'),
    emailValidatedAt: now,
    createdAt: now,
    updatedAt: now,
  });
}

const cookiesOf = (res: Response): string[] => res.headers.getSetCookie().map((c) => c.split(';')[0]!);

/** Signs PERSON in on `base` (http://127.0.0.1:port); returns the Cookie header of the session. */
export async function signIn(base: string): Promise<string> {
  const page = await fetch(`${base}/connexion`, { headers: { accept: 'text/html' } });
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on /connexion');
  const res = await fetch(`${base}/connexion`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf, cookie: cookiesOf(page).join('; ') },
    body: JSON.stringify({ siret: PERSON.siret, nom: PERSON.nom, prenom: PERSON.prenom, password: PERSON.password }),
  });
  if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
  const session = cookiesOf(res).find((c) => c.startsWith('__Host-sid='));
  if (!session) throw new Error('sign-in: no session cookie');
  return session;
}
