"""Contact data: phone numbers in the catalogue's DIN 5008 notation, web addresses http or https only."""

import pytest

from config import CONFIG_DIR
from knowledge.catalogue.contact import phone_number, web_address
from knowledge.catalogue.demo import load_demo_document
from knowledge.catalogue.document import CatalogueDocument, DocumentError


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+49 6592 939-110", "+49 6592 939-110"),
        ("06592 939-110", "+49 6592 939-110"),
        ("06592/939-110", "+49 6592 939-110"),
        ("0049 651 9491-414", "+49 651 9491-414"),
        ("(06592) 939110", "+49 6592 939110"),
        ("06592-939110", "+49 6592 939110"),
        ("0800 4555530", "+49 800 4555530"),
        ("+43 1 58858-0", "+43 1 58858-0"),
    ],
)
def test_phone_numbers_are_stored_in_one_notation(typed: str, stored: str) -> None:
    assert phone_number(typed) == stored


@pytest.mark.parametrize(
    "typed", ["bitte zurückrufen", "+49 1", "115", "06592 939-110; 0900 123", "", "0" * 41]
)
def test_what_is_no_phone_number_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="phone number"):
        phone_number(typed)


@pytest.mark.parametrize("address", ["https://www.ausweisapp.bund.de", "http://www.example.de/pfad?x=1"])
def test_web_addresses_are_http_or_https(address: str) -> None:
    assert web_address(address) == address


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,x",
        "//evil.example",
        "https://",
        "https://a b",
    ],
)
def test_other_addresses_are_refused(address: str) -> None:
    with pytest.raises(ValueError):
        web_address(address)


def test_the_demo_catalogue_is_already_in_the_stored_notation() -> None:
    document = load_demo_document(CONFIG_DIR / "catalogue")
    assert all(phone_number(u.phone) == u.phone for u in document.units if u.phone)
    assert all(phone_number(c.switchboard) == c.switchboard for c in document.counties)


def test_an_import_with_a_script_address_a_bad_number_or_a_foreign_unit_is_refused() -> None:
    data = load_demo_document(CONFIG_DIR / "catalogue").model_dump(mode="json")
    data["services"][0]["online_service"] = "javascript:alert(1)"
    data["units"][0]["phone"] = "bitte zurückrufen"
    service = data["services"][1]
    unit_counties = {u["id"]: u["county"] for u in data["units"]}
    foreign = next(u for u, county in unit_counties.items() if county and county != "07233")
    service["responsibilities"] = [{"unit": foreign, "county": "07233"}]
    with pytest.raises(DocumentError) as refused:
        CatalogueDocument.parse(data)
    locations = [problem["loc"] for problem in refused.value.problems]
    assert ["services", 0, "online_service"] in locations and ["units", 0, "phone"] in locations
    data["services"][0]["online_service"] = None
    data["units"][0]["phone"] = None
    with pytest.raises(DocumentError) as refused:
        CatalogueDocument.parse(data)
    assert [p["loc"] for p in refused.value.problems] == [["services", 1, "responsibilities", 0, "unit"]]
