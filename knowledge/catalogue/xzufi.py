"""XZuFi 2.2 transfer documents (PVOG, Landesredaktionssysteme) as a catalogue document.

Only the subset the Leistungsverzeichnis models is read: `leistung`, `organisationseinheit` with its
`zustaendigkeit` entries and `onlinedienst`; everything else (`spezialisierung`, `loesche`, categories,
approvals, languages other than German, ...) is ignored on purpose. The result is a `CatalogueDocument`
merged onto the catalogue's own counties and places, so validation and import are the JSON path's.
Every problem names its XML line and element path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.catalogue.document import CatalogueDocument, DocumentError
from knowledge.catalogue.exchange import export_document
from knowledge.catalogue.models import ServiceLevel, UnitKind
from knowledge.catalogue.xzufi_text import german, plain_text, weekly_hours

__all__ = ["NAMESPACE", "build_document", "looks_like_xml", "read_transfer", "xzufi_document"]

NAMESPACE = "http://xoev.de/schemata/xzufi/2_2_0"
_X = f"{{{NAMESPACE}}}"

LEIKA_TEXTMODULES = {
    "05": "short_text",  # Kurztext
    "06": "full_text",  # Volltext
    "07": "legal_basis",  # Rechtsgrundlage(n) / Handlungsgrundlagen
    "08": "documents",  # Erforderliche Unterlagen
    "09": "requirements",  # Voraussetzungen
    "11": "procedure",  # Verfahrensablauf
    "14": "forms",  # Formulare
    "16": "notes",  # Hinweise (Besonderheiten)
}
"""Codes of urn:de:xzufi:codeliste:leistungstextmodulleika as our TEXT_MODULES; 02/03 give the title."""

_STRUCTURED_MODULES = {
    "modulKosten": "fees",
    "modulFrist": "deadlines",
    "modulBearbeitungsdauer": "processing_time",
}
_TITLE_CODES = ("03", "02")  # Leistungsbezeichnung II (citizen wording) first, then Leistungsbezeichnung
_KANAL = {"01": "email", "02": "phone"}  # urn:de:xoev:codeliste:erreichbarkeit: E-Mail, Telefon (Festnetz)
_UNIT_KINDS = (
    ("jobcenter", UnitKind.jobcenter),
    ("standesamt", UnitKind.standesamt),
    ("bürgerbüro", UnitKind.buergerbuero),
    ("buergerbuero", UnitKind.buergerbuero),
    ("gemeindeverwaltung", UnitKind.verwaltung),
    ("stadtverwaltung", UnitKind.verwaltung),
)


def looks_like_xml(data: bytes) -> bool:
    """Whether a file to import is XML (XZuFi) rather than a JSON catalogue document."""
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


def _problem(element: etree._Element | None, msg: str) -> dict:
    if element is None:
        return {"loc": ["document"], "msg": msg}
    path = []
    node = element
    while node is not None and node.getparent() is not None:
        path.append(etree.QName(node).localname)
        node = node.getparent()
    return {"loc": [f"line {element.sourceline}: {'/'.join(reversed(path)) or 'root'}"], "msg": msg}


def read_transfer(data: bytes) -> etree._Element:
    """Parse `data` without DTDs, entities or network; the root must be in the XZuFi 2.2 namespace."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        problem = {"loc": [f"line {error.lineno}"], "msg": f"malformed XML: {error.msg}"}
        raise DocumentError([problem]) from None
    if root.getroottree().docinfo.doctype:
        raise DocumentError([{"loc": ["line 1"], "msg": "a DOCTYPE is not allowed in an XZuFi document"}])
    if etree.QName(root).namespace != NAMESPACE:
        raise DocumentError([_problem(root, f"not an XZuFi 2.2 document: root element {root.tag}")])
    return root


def _text(element: etree._Element | None, path: str) -> str | None:
    found = element.find(path) if element is not None else None
    return (found.text or "").strip() or None if found is not None else None


def _code(element: etree._Element, path: str) -> str | None:
    """The value of a XÖV code element (its `code` child is unqualified)."""
    return _text(element, f"{path}/code")


def _slug(value: str) -> str:
    return "xzufi-" + re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


@dataclass
class _Leistung:
    element: etree._Element
    fields: dict


@dataclass
class _Einheit:
    element: etree._Element
    fields: dict
    zustaendigkeiten: list[tuple[str, etree._Element, list[etree._Element]]] = field(default_factory=list)


def _leistung(element: etree._Element, problems: list[dict]) -> tuple[str, _Leistung] | None:
    key = _text(element, f"{_X}id")
    if key is None:
        problems.append(_problem(element, "required element id is missing"))
        return None
    fields: dict = {}
    titles = {}
    for modul in element.iterfind(f"{_X}modulText"):
        code = _code(modul, f"{_X}leikaTextmodul")
        text = plain_text(german(modul.iterfind(f"{_X}inhalt")))
        if code in _TITLE_CODES:
            titles[code] = text
        elif code in LEIKA_TEXTMODULES and text:
            fields[LEIKA_TEXTMODULES[code]] = text
    for tag, name in _STRUCTURED_MODULES.items():
        text = plain_text(german(element.iterfind(f"{_X}{tag}/{_X}beschreibung")))
        if text:
            fields[name] = text
    title = next((titles[c] for c in _TITLE_CODES if titles.get(c)), None)
    if title is None:
        msg = "required modulText Leistungsbezeichnung (code 02 or 03) is missing"
        problems.append(_problem(element, msg))
    fields["title"] = title
    leika = _code(element, f"{_X}referenzLeiKa")
    if leika is not None and not re.fullmatch(r"\d{14}", leika):
        problems.append(_problem(element.find(f"{_X}referenzLeiKa"), f"LeiKa key {leika!r} is not 14 digits"))
    fields["leika"] = leika
    fields["leistungstyp"] = _code(element, f"{_X}typisierung")
    begriffe = element.iterfind(f"{_X}modulBegriffImKontext/{_X}begriffImKontext/{_X}begriff")
    synonyms = [plain_text(german([begriff])) for begriff in begriffe]
    fields["synonyms"] = list(dict.fromkeys(s for s in synonyms if s))
    return key, _Leistung(element, fields)


def _address(element: etree._Element) -> dict:
    """The visitors' address (Besucheranschrift 002) if given, else the first one."""
    addresses = element.findall(f"{_X}anschrift")
    if not addresses:
        return {}
    chosen = next((a for a in addresses if _code(a, f"{_X}typ") == "002"), addresses[0])
    street = " ".join(filter(None, (_text(chosen, f"{_X}strasse"), _text(chosen, f"{_X}hausnummer"))))
    postcode, city = _text(chosen, f"{_X}postleitzahl"), _text(chosen, f"{_X}ort")
    return {"street": street or None, "postcode": postcode, "city": city}


def _einheit(element: etree._Element, problems: list[dict]) -> tuple[str, _Einheit] | None:
    key = _text(element, f"{_X}id")
    name = plain_text(german(element.iterfind(f"{_X}name/{_X}name")))
    if key is None or name is None:
        problems.append(_problem(element, f"required element {'id' if key is None else 'name'} is missing"))
        return None
    lowered = name.lower()
    fields = {
        "name": name,
        "kind": next((kind for word, kind in _UNIT_KINDS if word in lowered), UnitKind.department),
        **_address(element),
        "phone": None,
        "email": None,
        "website": _text(element, f"{_X}internetadresse/{_X}uri"),
    }
    for kommunikation in element.iterfind(f"{_X}kommunikation"):
        target = _KANAL.get(_code(kommunikation, f"{_X}kanal") or "")
        if target and fields[target] is None:
            fields[target] = _text(kommunikation, f"{_X}kennung")
    hours, note = weekly_hours(element.find(f".//{_X}oeffnungszeiten"), _X)
    fields["hours"], fields["notes"] = hours, note
    einheit = _Einheit(element, fields)
    for zustaendigkeit in element.iterfind(f"{_X}zustaendigkeit"):
        leistung = _text(zustaendigkeit, f"{_X}leistungID")
        gebiete = zustaendigkeit.findall(f"{_X}gebietID")
        if leistung is None or not gebiete:
            missing = "leistungID" if leistung is None else "gebietID"
            problems.append(_problem(zustaendigkeit, f"required element {missing} is missing"))
            continue
        einheit.zustaendigkeiten.append((leistung, zustaendigkeit, gebiete))
    return key, einheit


class _Territories:
    """Gebiet keys (Kreisschlüssel, AGS, ARS) resolved against the catalogue's own counties and places."""

    def __init__(self, existing: CatalogueDocument) -> None:
        self.counties = {c.key for c in existing.counties}
        self.by_ars = {p.ars: p for p in existing.places if p.ars}
        self.by_ags = {p.ags: p for p in existing.places if p.ags}

    def resolve(self, key: str) -> tuple[str, str | None] | None:
        place = None
        if len(key) == 5 and key in self.counties:
            return key, None
        if len(key) == 8:
            place = self.by_ags.get(key)
        elif len(key) == 9:
            place = self.by_ars.get(key)
        elif len(key) == 12:
            if key[5:] == "0000000" and key[:5] in self.counties:
                return key[:5], None
            place = self.by_ars.get(key) or (self.by_ars.get(key[:9]) if key[9:] == "000" else None)
            place = place or self.by_ags.get(key[:5] + key[9:])
        return (place.county, place.id) if place else None


def _level(fields: dict, responsibilities: list[dict], previous: dict) -> ServiceLevel:
    """Typ 1 is federal; otherwise the territories say it, then the previous record, then the Typ."""
    typ = fields.get("leistungstyp") or previous.get("leistungstyp") or ""
    if typ == "1":
        return ServiceLevel.federal
    if responsibilities:
        return ServiceLevel.municipality if any(r["place"] for r in responsibilities) else ServiceLevel.county
    if previous.get("level"):
        return ServiceLevel(previous["level"])
    return ServiceLevel.municipality if typ.startswith("5") else ServiceLevel.state


def build_document(root: etree._Element, existing: CatalogueDocument) -> CatalogueDocument:
    """The transfer `root` as a catalogue document on top of `existing`; DocumentError with every problem."""
    problems: list[dict] = []
    leistungen: dict[str, _Leistung] = {}
    einheiten: dict[str, _Einheit] = {}
    onlinedienste: list[etree._Element] = []
    for obj in root.iterfind(f"{_X}schreibe/*"):
        kind = etree.QName(obj).localname
        if kind == "leistung" and (parsed := _leistung(obj, problems)):
            leistungen[parsed[0]] = parsed[1]
        elif kind == "organisationseinheit" and (parsed_unit := _einheit(obj, problems)):
            einheiten[parsed_unit[0]] = parsed_unit[1]
        elif kind == "onlinedienst":
            onlinedienste.append(obj)

    previous = {s.id: s.model_dump() for s in existing.services}
    by_leika: dict[str, list[str]] = {}
    for service in existing.services:
        if service.leika:
            by_leika.setdefault(service.leika, []).append(service.id)

    def service_id(key: str) -> str | None:
        """Our id for XZuFi Leistung `key`: an earlier import's, a unique LeiKa match, or a new one."""
        derived = _slug(key)
        leika = leistungen[key].fields["leika"] if key in leistungen else None
        if derived not in previous and leika and len(by_leika.get(leika, [])) == 1:
            return by_leika[leika][0]
        return derived if key in leistungen or derived in previous else None

    territories = _Territories(existing)
    services: dict[str, dict] = {}
    sources: dict[str, etree._Element] = {}
    for key, leistung in leistungen.items():
        sid = service_id(key)
        assert sid is not None, "every leistung of the transfer names a service"
        base = previous.get(sid, {"id": sid, "responsibilities": []})
        services[sid] = {**base, **{k: v for k, v in leistung.fields.items() if v not in (None, [])}}
        sources[sid] = leistung.element
    wanted: dict[str, list[dict]] = {}
    units = []
    unit_sources = []
    for key, einheit in einheiten.items():
        uid = _slug(key)
        covered = []
        for leistung_key, zustaendigkeit, gebiete in einheit.zustaendigkeiten:
            sid = service_id(leistung_key)
            if sid is None:
                problems.append(_problem(zustaendigkeit, f"unknown leistung {leistung_key!r}"))
                continue
            if sid not in services:
                services[sid], sources[sid] = dict(previous[sid]), zustaendigkeit
            for gebiet in gebiete:
                territory = territories.resolve((gebiet.text or "").strip())
                if territory is None:
                    msg = f"unknown Gebiet {gebiet.text!r} (not a county or place of ours)"
                    problems.append(_problem(gebiet, msg))
                    continue
                covered.append(territory)
                county, place = territory
                responsibility = {"unit": uid, "county": county, "place": place, "fees": None, "hours": None}
                wanted.setdefault(sid, []).append({**responsibility, "notes": None})
        counties = {county for county, _ in covered}
        places = {place for _, place in covered}
        units.append(
            {
                "id": uid,
                "county": counties.pop() if len(counties) == 1 else None,
                "place": places.pop() if len(places) == 1 and None not in places else None,
                **einheit.fields,
            }
        )
        unit_sources.append(einheit.element)

    for onlinedienst in onlinedienste:
        links = onlinedienst.findall(f"{_X}link")
        first = links[0] if links else None
        chosen = next((link for link in links if _code(link, f"{_X}typ") == "01"), first)
        url = _text(chosen, f"{_X}link")
        for leistung_id in onlinedienst.iterfind(f"{_X}zustaendigkeit/{_X}leistungID"):
            sid = service_id((leistung_id.text or "").strip())
            if sid is None or url is None:
                problems.append(_problem(leistung_id, "unknown leistung or no link for the online service"))
            else:
                services.setdefault(sid, dict(previous.get(sid, {})))["online_service"] = url
                sources.setdefault(sid, leistung_id)

    file_units = {u["id"] for u in units}
    for sid, record in services.items():
        mine = wanted.get(sid, [])
        claimed = {(r["county"], r["place"]) for r in mine}
        kept = [
            r
            for r in record.get("responsibilities", [])
            if r["unit"] not in file_units and (r["county"], r["place"]) not in claimed
        ]
        record["responsibilities"] = kept + mine
        record["level"] = _level(record, mine, previous.get(sid, {}))
    if problems:
        raise DocumentError(problems)

    ordered = sorted(services)
    kept_units = {r["unit"] for s in services.values() for r in s["responsibilities"]} - file_units
    data = {
        "counties": [c.model_dump() for c in existing.counties],
        "places": [p.model_dump() for p in existing.places],
        "units": units + [u.model_dump() for u in existing.units if u.id in kept_units],
        "services": [services[sid] for sid in ordered],
    }
    try:
        return CatalogueDocument.parse(data)
    except DocumentError as error:
        located = {"units": unit_sources, "services": [sources[sid] for sid in ordered]}
        raise DocumentError([_locate(p, located) for p in error.problems]) from None


def _locate(problem: dict, located: dict[str, list[etree._Element]]) -> dict:
    """A document problem at `services.3.title` as one at the XML element the record came from."""
    loc = problem["loc"]
    if len(loc) >= 2 and loc[0] in located and isinstance(loc[1], int) and loc[1] < len(located[loc[0]]):
        where = _problem(located[loc[0]][loc[1]], "")["loc"][0]
        return {"loc": [where, *loc[2:]], "msg": problem["msg"]}
    return problem


async def xzufi_document(session: AsyncSession, root: etree._Element) -> CatalogueDocument:
    """The parsed transfer `root` merged onto the catalogue in `session`."""
    return build_document(root, await export_document(session))
