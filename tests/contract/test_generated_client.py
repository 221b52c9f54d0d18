"""The schema is the truth: a Python client generated from it (openapi-python-client, as an
integrator would) places, reads and cancels an order against a live server, through typed
models."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from accounts.services import api_client_create
from tests.contract.schema import schema_document
from tests.factories import IntegrationClientFactory
from tests.orders.conftest import order_payload
from tests.sourcing.conftest import jeans, marseille, network, shirt, stock, warehouse  # noqa: F401

pytestmark = [pytest.mark.client_generation, pytest.mark.django_db(transaction=True)]

PACKAGE = "omni_client"
# No post-generation hooks: the generator would run `ruff` from PATH on the output; the
# generated code is imported, not committed, so formatting it buys nothing.
CONFIG = f"post_hooks: []\nproject_name_override: omni-client\npackage_name_override: {PACKAGE}\n"


def _generator() -> str:
    beside_python = Path(sys.executable).parent / "openapi-python-client"
    found = str(beside_python) if beside_python.exists() else shutil.which("openapi-python-client")
    assert found, "openapi-python-client is not installed (pip install '.[test]')"
    return found


@pytest.fixture
def generated_client(tmp_path):
    """The generated package, imported from a temporary directory (and forgotten after)."""
    (tmp_path / "schema.json").write_text(json.dumps(schema_document()))
    (tmp_path / "config.yaml").write_text(CONFIG)
    result = subprocess.run(
        [_generator(), "generate", "--path", "schema.json", "--config", "config.yaml",
         "--meta", "none", "--output-path", PACKAGE],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # The generator warns about every part of the schema it could not turn into types.
    assert "Warning" not in output and "Unable" not in output, output
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_a_generated_client_places_reads_and_cancels_an_order(generated_client, live_server, network):  # noqa: F811
    # given the web shop's API client and a client generated from the published schema
    _client, key = api_client_create(
        name="Web shop", profile="web_shop", user=IntegrationClientFactory(username="gen-shop")
    )
    client_module = importlib.import_module(f"{PACKAGE}.client")
    models = importlib.import_module(f"{PACKAGE}.models")
    orders_create = importlib.import_module(f"{PACKAGE}.api.orders.orders_create")
    orders_retrieve = importlib.import_module(f"{PACKAGE}.api.orders.orders_retrieve")
    orders_cancel = importlib.import_module(f"{PACKAGE}.api.orders.orders_cancel_create")
    api = client_module.AuthenticatedClient(base_url=live_server.url, token=key, prefix="Token")
    payload = order_payload(
        lines=[{"sku": "CHE-OXF-BLE-M", "quantity": 2, "delivery": {"method": "ship_to_address"}}]
    )

    # when it places an order, with an Idempotency-Key
    placed = orders_create.sync_detailed(
        client=api, body=models.OrderInputRequest.from_dict(payload), idempotency_key=str(uuid.uuid4())
    )
    # then the answer is a typed order
    assert placed.status_code == 201, placed.content
    order = placed.parsed
    assert isinstance(order, models.OrderOutput)
    assert order.status == models.OrderStatusEnum.CONFIRMED
    assert order.channel == models.SalesChannelEnum.WEB
    [line] = order.lines
    assert line.quantity == 2 and line.delivery_method == models.DeliveryMethodEnum.SHIP_TO_ADDRESS
    assert line.pickup_location is None and line.relay_point is None  # nullable, typed as such
    assert line.allocations[0].status == models.AllocationStatusEnum.ACTIVE

    # when it reads the order back
    read = orders_retrieve.sync(order.number, client=api)
    assert isinstance(read, models.OrderOutput) and read.number == order.number
    assert read.lines[0].quantities.ordered == 2

    # when it cancels one unit, then the rest
    one = orders_cancel.sync(
        order.number,
        client=api,
        body=models.CancelInputRequest(lines=[models.CancelLineInputRequest(line=1, quantity=1)]),
    )
    assert isinstance(one, models.OrderOutput), one
    assert one.lines[0].quantities.cancelled == 1 and one.status != models.OrderStatusEnum.CANCELLED
    rest = orders_cancel.sync(
        order.number, client=api, body=models.CancelInputRequest(reason="changed my mind")
    )
    assert isinstance(rest, models.OrderOutput), rest
    assert rest.status == models.OrderStatusEnum.CANCELLED
    assert rest.lines[0].status == models.OrderLineStatusEnum.CANCELLED

    # and errors come back in the one error shape, typed too
    again = orders_cancel.sync_detailed(order.number, client=api, body=models.CancelInputRequest())
    assert again.status_code == 409 and isinstance(again.parsed, models.ErrorOutput)
    assert again.parsed.code == "illegal_change"
    missing = orders_retrieve.sync_detailed("NOPE", client=api)
    assert missing.status_code == 404 and missing.parsed.code == "not_found"
