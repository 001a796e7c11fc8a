"""Catalogue import over HTTP: dry run reports and changes nothing, import is all-or-nothing and idempotent."""


async def test_dry_run_reports_the_difference_and_changes_nothing(client, make_user) -> None:
    admin = await make_user("anna", "admin")
    document = await (await client.get("/api/v1/export")).json()
    document["services"][0]["title"] = "Testtitel"
    response = await client.post("/api/v1/import", params={"dry_run": "true"}, json=document, headers=admin)
    assert response.status == 200, await response.text()
    report = await response.json()
    assert report["dry_run"] and report["updated"]["services"] == [document["services"][0]["id"]]
    assert (await (await client.get("/api/v1/export")).json())["services"][0]["title"] != "Testtitel"


async def test_import_applies_once_and_again_changes_nothing(client, make_user) -> None:
    admin = await make_user("anna", "admin")
    document = await (await client.get("/api/v1/export")).json()
    service = document["services"][0]
    old_tag = (await client.get(f"/api/v1/services/{service['id']}")).headers["ETag"]
    service["title"] = "Testtitel"
    first = await (await client.post("/api/v1/import", json=document, headers=admin)).json()
    assert first["changed"] and first["summary"]["services"]["updated"] == 1
    again = await (await client.post("/api/v1/import", json=document, headers=admin)).json()
    assert not again["changed"]
    assert await (await client.get("/api/v1/export")).json() == document
    assert (await client.get(f"/api/v1/services/{service['id']}")).headers["ETag"] != old_tag


async def test_an_inconsistent_document_is_422_and_nothing_is_written(client, make_user) -> None:
    admin = await make_user("anna", "admin")
    document = await (await client.get("/api/v1/export")).json()
    original = [dict(s) for s in document["services"]]
    document["services"][0]["title"] = "Testtitel"
    document["services"][1]["responsibilities"] = [{"unit": "gibt-es-nicht", "county": "07233"}]
    response = await client.post("/api/v1/import", json=document, headers=admin)
    assert response.status == 422
    assert any("gibt-es-nicht" in e["msg"] for e in (await response.json())["errors"])
    assert (await (await client.get("/api/v1/export")).json())["services"] == original


async def test_only_admins_import(client, make_user) -> None:
    editor = await make_user("carl", "catalogue_editor")
    response = await client.post("/api/v1/import", json={}, headers=editor)
    assert response.status == 403
    assert (await client.post("/api/v1/import", json={})).status == 401
