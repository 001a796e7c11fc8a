"""Synthetic services: deterministic, valid catalogue records spread over the four counties."""

from collections import Counter

from config import CONFIG_DIR
from knowledge.catalogue.demo import load_demo_document
from knowledge.catalogue.document import CatalogueDocument
from knowledge.catalogue.synthetic import SyntheticCatalogue


def _catalogue(seed: int = 115) -> tuple[CatalogueDocument, SyntheticCatalogue]:
    demo = load_demo_document(CONFIG_DIR / "catalogue")
    texts = [s.full_text for s in demo.services if s.full_text]
    return demo, SyntheticCatalogue(demo.units, demo.places, texts, seed)


def test_a_service_is_the_same_whichever_run_or_batch_generates_it() -> None:
    _, first = _catalogue()
    _, second = _catalogue()
    assert list(first.services(1, 50)) == list(second.services(1, 50))
    assert list(first.services(40, 3)) == list(second.services(1, 50))[39:42]


def test_another_seed_gives_other_services() -> None:
    _, default = _catalogue()
    _, other = _catalogue(seed=7)
    assert [s["title"] for s in default.services(1, 20)] != [s["title"] for s in other.services(1, 20)]


def test_generated_services_are_valid_records_of_the_demo_catalogue() -> None:
    demo, catalogue = _catalogue()
    services = list(catalogue.services(1, 300))
    document = CatalogueDocument.parse(demo.model_dump(mode="json") | {"services": services})
    assert [s.id for s in document.services[:2]] == ["synthetic-000001", "synthetic-000002"]
    assert all(s.responsibilities for s in document.services)


def test_services_spread_over_levels_and_all_four_counties() -> None:
    demo, catalogue = _catalogue()
    services = list(catalogue.services(1, 400))
    counties = Counter(r["county"] for s in services for r in s["responsibilities"])
    assert set(counties) == {c.key for c in demo.counties}
    assert {s["level"] for s in services} == {"municipality", "county", "state", "federal"}
    municipal = next(s for s in services if s["level"] == "municipality")
    assert all(r["place"] for r in municipal["responsibilities"])
    assert len({s["title"] for s in services}) > 300


def test_texts_are_german_sentences_with_catalogue_vocabulary() -> None:
    _, catalogue = _catalogue()
    service = catalogue.service(1)
    assert service["short_text"].endswith(".") and service["full_text"].endswith(".")
    assert len(service["synonyms"]) >= 3
    assert all(any(c.isupper() for c in s["title"][:1]) for s in catalogue.services(1, 100))
