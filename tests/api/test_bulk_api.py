"""Bulk operations over REST, end to end: a CSV uploaded as the request body, validated, confirmed and
run in the background; the event exported and the CSV downloaded; the import undone."""

from plenary_kit.testing.api import Api

from .builders import published_event
from .conftest import Tenant

PEOPLE = (
    "\ufeffFirst Name;Last Name;E-mail;Company\r\n"
    "Wangari;Maathai;wangari@greenbelt.test;Green Belt\r\n"
    'Chinua;Achebe;chinua@novels.test;"Heinemann; African Writers"\r\n'
    "Nameless;;nobody@nowhere.test;\r\n"
)


def test_a_csv_uploaded_over_rest_is_imported_exported_downloaded_and_undone(api: Api, acme: Tenant, globex: Tenant):
    event, type_id = published_event(api, acme)
    imports = f"/api/v1/events/{event}/imports?fileName=people.csv&participantTypeId={type_id}"
    csv_body = {"content": PEOPLE.encode(), "headers": {"Content-Type": "text/csv"}}
    off = api.request("POST", imports, key=acme.key, **csv_body)
    assert off.status_code == 404 and off.json()["code"] == "FEATURE_DISABLED"

    flag = {"enabledForTenants": [acme.id]}
    api.ok("PATCH", "/api/v1/feature-flags/FF_BULK_OPERATIONS", token=api.admin, json=flag)
    created = api.until(  # the flag reaches the gateway's mirror, the event registration's directory
        lambda: (r := api.request("POST", imports, key=acme.key, **csv_body)).status_code == 201 and r.json()["data"],
        timeout=30,
    )
    assert created["status"] == "VALIDATING" and created["fileName"] == "people.csv"
    operation = f"/api/v1/bulk-operations/{created['id']}"

    preview = api.ok("POST", f"{operation}/validate", key=acme.key, json={})["data"]
    assert preview["counts"] == {"total": 3, "valid": 2, "warning": 0, "error": 1}
    assert preview["mappings"] == {
        "First Name": "firstName",
        "Last Name": "lastName",
        "E-mail": "email",
        "Company": "organization",
    }
    assert preview["preview"][2]["message"] == "lastName: is required"

    assert api.ok("POST", f"{operation}/confirm", key=acme.key)["data"]["status"] == "CONFIRMED"
    done = api.until(
        lambda: (r := api.ok("GET", operation, key=acme.key)["data"])["status"] == "COMPLETED" and r, timeout=30
    )
    assert (done["successCount"], done["failureCount"]) == (2, 0) and done["undoDeadline"]
    rows = api.ok("GET", f"{operation}/items?status=success", key=acme.key)
    assert [i["rowNumber"] for i in rows["data"]] == [1, 2] and rows["meta"]["total"] == 2
    assert api.request("GET", operation, key=globex.key).status_code == 404

    export = api.ok("POST", f"/api/v1/events/{event}/exports", 201, key=acme.key, json={})["data"]
    assert export["status"] == "COMPLETED" and export["totalItems"] == 2
    download = api.request("GET", export["downloadUrl"], key=acme.key)
    assert download.status_code == 200 and download.content.startswith(b"\xef\xbb\xbf")
    text = download.content.decode("utf-8-sig")
    assert text.startswith('"First Name","Last Name","Email"') and "\r\n" not in text
    assert '"Chinua","Achebe","chinua@novels.test","Heinemann; African Writers"' in text

    undone = api.ok("POST", f"{operation}/undo", key=acme.key)["data"]
    assert undone["status"] == "ROLLED_BACK"
    again = api.ok("POST", f"/api/v1/events/{event}/exports", 201, key=acme.key, json={})["data"]
    assert again["totalItems"] == 0
