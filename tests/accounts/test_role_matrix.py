"""docs/role-matrix.md is generated from the GRANTS table the permission checks use; every API
operation declares a scope; and the server answers each cell of the matrix as written."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.access import GRANTS, OPERATIONS, PRINCIPALS
from accounts.matrix import api_operations, role_matrix_markdown
from inventory.models import Location
from tests.factories import (
    HeadOfficeFactory,
    LocationFactory,
    StoreAssociateFactory,
    UserFactory,
    api_client_named,
)

OPERATIONS_IN_URLCONF = api_operations()


def test_the_committed_matrix_is_what_the_command_writes(tmp_path):
    call_command("role_matrix", "--output", str(tmp_path / "matrix.md"))
    written = (tmp_path / "matrix.md").read_text()
    assert written == role_matrix_markdown()
    assert (Path(settings.BASE_DIR) / "docs" / "role-matrix.md").read_text() == written, (
        "docs/role-matrix.md is stale: run manage.py role_matrix"
    )


def test_every_api_operation_declares_a_known_scope():
    assert len(OPERATIONS_IN_URLCONF) >= 29
    undeclared = [
        f"{op.method} {op.path} ({op.view.__name__})"
        for op in OPERATIONS_IN_URLCONF
        if op.scope not in OPERATIONS
    ]
    assert undeclared == []
    assert set(PRINCIPALS) <= set(GRANTS) and all(grants <= set(OPERATIONS) for grants in GRANTS.values())


def test_a_view_without_a_scope_is_refused_to_everyone(rf):
    from rest_framework.views import APIView

    from accounts.access import ScopedAccess

    class Undeclared(APIView):
        pass

    request = rf.get("/")
    request.user = HeadOfficeFactory.build()
    request.auth = None
    assert ScopedAccess().has_permission(request, Undeclared()) is False


@pytest.fixture
def principals(db):
    """One API caller per matrix column: (principal, user)."""
    store = LocationFactory(code="ST-MATRIX")
    vendor = LocationFactory(code="DS-MATRIX", kind=Location.Kind.DROP_SHIP_VENDOR, hours=[])
    return {
        "head_office": HeadOfficeFactory(username="m-siege"),
        "call_centre": UserFactory(username="m-conseil"),
        "store_associate": StoreAssociateFactory(username="m-vendeur", store=store),
        "web_shop": api_client_named("m-shop").user,
        "erp_pim": api_client_named("m-erp", profile="erp_pim").user,
        "dropship_vendor": api_client_named("m-vendor", profile="dropship_vendor", location=vendor).user,
        "store_system": api_client_named("m-till", profile="store_system", location=store).user,
    }


def _url(path: str) -> str:
    return re.sub(r"<int:\w+>", "1", re.sub(r"<str:\w+>", "NOPE", path))


@pytest.mark.parametrize("op", OPERATIONS_IN_URLCONF, ids=lambda op: f"{op.method} {op.path}")
def test_the_server_answers_each_cell_as_the_matrix_says(op, principals, api_as):
    wrong = []
    for principal, user in principals.items():
        api = api_as(user)
        response = getattr(api, op.method.lower())(
            _url(op.path), {} if op.method == "POST" else None, format="json"
        )
        allowed = op.scope in GRANTS[principal]
        # allowed: any answer but 403 (an empty body or an unknown number gives 400/404/409)
        if allowed != (response.status_code != 403) or response.status_code >= 500:
            wrong.append((principal, "allowed" if allowed else "denied", response.status_code))
    assert wrong == []
