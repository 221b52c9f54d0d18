import pytest

from inventory import services
from inventory.models import SKU, Product
from tests.factories import ean13

pytestmark = pytest.mark.django_db


def _row(n: int, **overrides):
    row = {
        "sku": f"CHE-OXF-{n}",
        "ean": ean13(n),
        "name": f"Chemise Oxford {n}",
        "model": "CHE-OXF",
        "model_name": "Chemise Oxford",
        "colour": "Bleu",
        "size": "M",
        "category": "Chemises",
        "price": "49.90",
        "image_url": "https://cdn.example.fr/che-oxf.jpg",
    }
    row.update(overrides)
    return row


def test_sync_creates_then_updates(lyon):
    assert services.catalogue_sync(rows=[_row(1), _row(2)]) == {"rows": 2, "created": 2, "updated": 0}
    assert services.catalogue_sync(rows=[_row(1, price="39.90"), _row(3)]) == {
        "rows": 2,
        "created": 1,
        "updated": 1,
    }
    assert str(SKU.objects.get(code="CHE-OXF-1").price) == "39.90"
    assert Product.objects.get().skus.count() == 3


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"ean": "3000000000010"}, "ean"),  # wrong check digit
        ({"ean": "12345"}, "ean"),
        ({"price": -1}, "price"),
        ({"price": 19.99}, "price"),  # floats cannot carry cents exactly
        ({"price": "1.999"}, "price"),
        ({"name": ""}, "name"),
        ({"sku": "bad code!"}, "sku"),
        ({"image_url": "ftp://x"}, "image_url"),
        ({"is_active": "yes"}, "is_active"),
    ],
)
def test_one_bad_row_rejects_the_batch(override, field):
    with pytest.raises(services.BatchRejected) as error:
        services.catalogue_sync(rows=[_row(1), _row(2, **override)])
    (row_error,) = error.value.details["errors"]
    assert row_error["row"] == 1 and field in row_error["errors"]
    assert not SKU.objects.exists()


def test_duplicate_skus_and_eans_are_refused():
    services.catalogue_sync(rows=[_row(1)])
    with pytest.raises(services.BatchRejected) as error:
        services.catalogue_sync(rows=[_row(2), _row(2), _row(3, ean=ean13(1))])
    assert [(e["row"], list(e["errors"])) for e in error.value.details["errors"]] == [
        (1, ["sku"]),
        (1, ["ean"]),
        (2, ["ean"]),
    ]
