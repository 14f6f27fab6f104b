"""Catalogs and prescription templates: organization-wide and private ones, and their edits."""

from __future__ import annotations

from test_clinical_support import (
    PRESCRIBER,
    STAFF,
    data,
    error_types,
    fields,
    gql,
    m2m,
    make_api,
    user,
)

CATALOGS = """{ catalogs { id name treatments { id name }
  templates { id name isPrivate fillsAllowed dispenseUnit treatment { id } } } }"""
CREATE = """mutation($c: ID!, $t: ID!, $private: Boolean, $fills: Int, $unit: String, $q: Float) {
  createPrescriptionTemplate(catalogId: $c, treatmentId: $t, isPrivate: $private,
    fillsAllowed: $fills, dispenseUnit: $unit, dispenseQuantity: $q, name: "Mine")
  { id name isPrivate fillsAllowed dispenseUnit treatment { id } } }"""
UPDATE = """mutation($c: ID!, $id: ID!, $fills: Int, $name: String) {
  updatePrescriptionTemplate(catalogId: $c, templateId: $id, fillsAllowed: $fills, name: $name)
  { id name fillsAllowed } }"""
DELETE = """mutation($c: ID!, $id: ID!) {
  deletePrescriptionTemplate(catalogId: $c, templateId: $id) { id } }"""
ADD = "mutation($c: ID!, $t: ID!) { addToCatalog(catalogId: $c, treatmentId: $t) { id } }"
REMOVE = "mutation($c: ID!, $t: ID!) { removeFromCatalog(catalogId: $c, treatmentId: $t) { id } }"


def not_in(api, principal, catalog: dict) -> str:
    """A medication the catalog does not hold."""
    listed = {t["id"] for t in catalog["treatments"]}
    medications = data(gql(api, principal, "{ medications(first: 100) { id } }"))["medications"]
    return str(next(m["id"] for m in medications if m["id"] not in listed))


def catalogs(api, principal) -> list[dict]:
    return list(data(gql(api, principal, CATALOGS))["catalogs"])


def test_private_templates_are_seen_by_their_author_only() -> None:
    api = make_api(patients=5)
    mine = catalogs(api, user(api, PRESCRIBER))
    theirs = catalogs(api, user(api, STAFF))
    service = catalogs(api, m2m(api))
    assert len(mine) == 2 and all(c["templates"] for c in mine)
    for own, other, machine in zip(mine, theirs, service, strict=True):
        private = {t["id"] for t in own["templates"] if t["isPrivate"]}
        shared = {t["id"] for t in own["templates"] if not t["isPrivate"]}
        assert private and shared
        assert {t["id"] for t in other["templates"]} == shared
        assert {t["id"] for t in machine["templates"]} == shared


def test_a_private_template_is_created_edited_and_deleted_by_its_author() -> None:
    api = make_api(patients=5)
    me, staff = user(api, PRESCRIBER), user(api, STAFF)
    catalog = catalogs(api, me)[0]
    treatment = catalog["treatments"][0]["id"]
    created = data(gql(api, me, CREATE, c=catalog["id"], t=treatment, private=True, fills=3))[
        "createPrescriptionTemplate"
    ]
    assert created["id"].startswith("tmp_") and created["isPrivate"]
    assert (created["fillsAllowed"], created["treatment"]["id"]) == (3, treatment)
    assert created["id"] not in {t["id"] for t in catalogs(api, staff)[0]["templates"]}

    hidden = gql(api, staff, UPDATE, c=catalog["id"], id=created["id"], fills=1)
    assert error_types(hidden) == ["NotFound"]
    changed = data(gql(api, me, UPDATE, c=catalog["id"], id=created["id"], fills=6))
    assert changed["updatePrescriptionTemplate"] == {
        "id": created["id"],
        "name": "Mine",
        "fillsAllowed": 6,
    }

    assert error_types(gql(api, staff, DELETE, c=catalog["id"], id=created["id"])) == ["NotFound"]
    data(gql(api, me, DELETE, c=catalog["id"], id=created["id"]))
    assert created["id"] not in {t["id"] for t in catalogs(api, me)[0]["templates"]}


def test_an_organization_wide_template_is_seen_by_everyone() -> None:
    api = make_api(patients=5)
    staff = user(api, STAFF)
    catalog = catalogs(api, staff)[0]
    created = data(
        gql(api, staff, CREATE, c=catalog["id"], t=catalog["treatments"][1]["id"], unit="tablet")
    )["createPrescriptionTemplate"]
    assert created["dispenseUnit"] == "Tablet"  # spelled as dispenseUnits lists it
    everyone = {t["id"] for t in catalogs(api, user(api, PRESCRIBER))[0]["templates"]}
    assert created["id"] in everyone


def test_template_mistakes_are_named_field_by_field() -> None:
    api = make_api(patients=5)
    me = user(api, PRESCRIBER)
    catalog = catalogs(api, me)[0]
    outside = not_in(api, me, catalog)
    bad = gql(api, me, CREATE, c=catalog["id"], t=outside, fills=0, unit="bucket", q=-1)
    assert fields(bad) == {"treatmentId", "fillsAllowed", "dispenseUnit", "dispenseQuantity"}
    machine = gql(
        api, m2m(api), CREATE, c=catalog["id"], t=catalog["treatments"][0]["id"], private=True
    )
    assert error_types(machine) == ["Unauthorized"]  # a private template needs an author
    assert error_types(gql(api, me, DELETE, c="cat_nope", id="tmp_nope")) == ["NotFound"]


def test_treatments_are_added_to_and_removed_from_a_catalog() -> None:
    api = make_api(patients=5)
    me = user(api, PRESCRIBER)
    catalog = catalogs(api, me)[0]
    outside = not_in(api, me, catalog)
    data(gql(api, me, ADD, c=catalog["id"], t=outside))
    assert error_types(gql(api, me, ADD, c=catalog["id"], t=outside)) == ["ValidationError"]
    template = data(gql(api, me, CREATE, c=catalog["id"], t=outside))["createPrescriptionTemplate"]

    data(gql(api, me, REMOVE, c=catalog["id"], t=outside))
    after = catalogs(api, me)[0]
    assert outside not in {t["id"] for t in after["treatments"]}
    assert template["id"] not in {t["id"] for t in after["templates"]}  # its templates go too
    assert error_types(gql(api, me, REMOVE, c=catalog["id"], t=outside)) == ["ValidationError"]
    assert api.stats()["mutations"]["addToCatalog"] == 1


DAYS = """mutation($c: ID!, $id: ID!, $days: Int, $name: String) {
  updatePrescriptionTemplate(catalogId: $c, templateId: $id, daysSupply: $days, name: $name)
  { daysSupply } }"""


def test_a_days_supply_given_as_null_is_removed_and_one_left_out_is_kept() -> None:
    """GraphQL tells an explicit null from a left-out argument: the app clears with the null."""
    api = make_api(patients=5)
    me = user(api, PRESCRIBER)
    catalog = catalogs(api, me)[0]
    created = data(gql(api, me, CREATE, c=catalog["id"], t=catalog["treatments"][0]["id"]))
    template = created["createPrescriptionTemplate"]["id"]

    def update(**variables: object) -> object:
        answer = data(gql(api, me, DAYS, c=catalog["id"], id=template, **variables))
        return answer["updatePrescriptionTemplate"]["daysSupply"]

    assert update(days=25) == 25
    assert update(name="Renamed") == 25
    assert update(days=None) is None
