import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory import services
from inventory.models import StockImport, StockLevel, StockMovement
from omni.trace import Trace
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db


def test_sku_search_finds_by_ean_code_and_name(client, call_centre, sku):
    client.force_login(call_centre)
    for query in (sku.ean, "OXF-BLU", "oxford"):
        page = client.get(reverse("inventory:stock_search"), {"q": query}, HTTP_HX_REQUEST="true")
        assert sku.code in page.text, query


def test_network_view_shows_each_location_with_distance(client, head_office, sku, lyon, paris, stock):
    stock(sku, lyon, 4)
    stock(sku, paris, 2)
    client.force_login(head_office)
    page = client.get(reverse("inventory:sku_stock", args=[sku.code]), {"from": lyon.code})
    assert page.status_code == 200
    assert page.context["totals"]["atp"] == 6
    assert [level.location.code for level in page.context["levels"]] == [lyon.code, paris.code]
    assert page.context["levels"][1].distance_km > 300


def test_store_associate_sees_only_their_store_in_the_network_view(
    client, lyon_associate, sku, lyon, paris, stock
):
    stock(sku, lyon, 4)
    stock(sku, paris, 2)
    client.force_login(lyon_associate)
    page = client.get(reverse("inventory:sku_stock", args=[sku.code]))
    assert [level.location.code for level in page.context["levels"]] == [lyon.code]
    assert client.get(reverse("inventory:location_stock", args=[paris.code])).status_code == 404
    assert client.get(reverse("inventory:stock_level", args=[sku.code, paris.code])).status_code == 404
    response = client.post(
        reverse("inventory:stock_level", args=[sku.code, paris.code]),
        {"action": "receive", "receive-quantity": 5},
    )
    assert response.status_code == 404
    assert StockLevel.objects.get(location=paris).on_hand == 2


def test_store_associate_receives_and_adjusts_in_their_store(client, lyon_associate, sku, lyon, stock):
    stock(sku, lyon, 4)
    client.force_login(lyon_associate)
    url = reverse("inventory:stock_level", args=[sku.code, lyon.code])
    assert (
        client.post(
            url, {"action": "receive", "receive-quantity": 3, "receive-reference": "BL-9"}
        ).status_code
        == 302
    )
    assert (
        client.post(url, {"action": "adjust", "adjust-delta": -1, "adjust-reason": "damaged"}).status_code
        == 302
    )
    assert StockLevel.objects.get().on_hand == 6
    movement = StockMovement.objects.filter(kind="adjustment").get()
    assert (movement.actor, movement.channel, movement.reason) == (lyon_associate, "store", "damaged")
    # a bad count is refused with a message and changes nothing
    page = client.post(url, {"action": "count", "count-counted": -3}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "greater than or equal to 0" in page.text
    assert StockLevel.objects.get().on_hand == 6


def test_call_centre_cannot_change_stock(client, call_centre, sku, lyon, stock):
    stock(sku, lyon, 4)
    client.force_login(call_centre)
    url = reverse("inventory:stock_level", args=[sku.code, lyon.code])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "receive", "receive-quantity": 3}).status_code == 403


def test_export_csv_and_xlsx(client, head_office, sku, lyon, stock):
    from openpyxl import load_workbook

    stock(sku, lyon, 4)
    client.force_login(head_office)
    csv_body = b"".join(
        client.get(reverse("inventory:location_stock_export", args=[lyon.code, "csv"])).streaming_content
    )
    assert csv_body.decode().splitlines()[1].startswith(f"{sku.code};{sku.ean};")
    xlsx = client.get(reverse("inventory:location_stock_export", args=[lyon.code, "xlsx"])).content
    rows = list(load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert rows[1][0] == sku.code and rows[1][3] == 4


def _upload(client, name: str, content: bytes, **fields):
    return client.post(
        reverse("inventory:stock_import"), {"file": SimpleUploadedFile(name, content), **fields}
    )


def test_an_upload_shows_a_preview_and_changes_nothing(
    client, head_office, sku, lyon, stock, django_capture_on_commit_callbacks
):
    # given Lyon holds the SKU and another one the file leaves out
    stock(sku, lyon, 3)
    other = SKUFactory(code="OXF-BLU-L")
    stock(other, lyon, 5)
    client.force_login(head_office)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(
            client, "stock.csv", f"sku;on_hand\n{sku.code};12\n".encode(), mode="snapshot", location=lyon.pk
        )
    # then
    stock_import = StockImport.objects.get()
    assert response.status_code == 302 and stock_import.status == "preview"
    page = client.get(response.url)
    assert "Apply 1 change, set 1 SKU to zero" in page.text
    assert other.code in page.text  # listed among the SKUs set to zero
    assert dict(StockLevel.objects.values_list("sku__code", "on_hand")) == {sku.code: 3, other.code: 5}
    assert not StockMovement.objects.filter(kind="sync_snapshot").exists()


@pytest.fixture
def previewed(client, head_office, sku, lyon, stock, django_capture_on_commit_callbacks):
    """A snapshot import of Lyon waiting for confirmation: the SKU 3 → 12, another 5 → 0."""
    stock(sku, lyon, 3)
    stock(SKUFactory(code="OXF-BLU-L"), lyon, 5)
    client.force_login(head_office)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        _upload(
            client, "stock.csv", f"sku;on_hand\n{sku.code};12\n".encode(), mode="snapshot", location=lyon.pk
        )
    return StockImport.objects.get()


def test_confirming_the_preview_applies_it(client, previewed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("inventory:stock_import_confirm", args=[previewed.pk]),
            {"digest": previewed.preview["digest"]},
        )
    assert response.status_code == 302
    previewed.refresh_from_db()
    assert previewed.status == "applied" and previewed.confirmed_by.username == "claire"
    assert dict(StockLevel.objects.values_list("sku__code", "on_hand")) == {"OXF-BLU-M": 12, "OXF-BLU-L": 0}
    page = client.get(reverse("inventory:stock_import_detail", args=[previewed.pk]), HTTP_HX_REQUEST="true")
    assert 'value="100"' in page.text and "1 SKU not in the file was set to zero" in page.text


def test_cancelling_the_preview_discards_it(client, previewed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("inventory:stock_import_cancel", args=[previewed.pk]))
    assert response.url == reverse("inventory:stock_import")
    previewed.refresh_from_db()
    assert previewed.status == "cancelled"
    assert not previewed.file.storage.exists(previewed.file.name)
    # a late confirmation applies nothing
    client.post(
        reverse("inventory:stock_import_confirm", args=[previewed.pk]),
        {"digest": previewed.preview["digest"]},
    )
    previewed.refresh_from_db()
    assert previewed.status == "cancelled"
    assert dict(StockLevel.objects.values_list("sku__code", "on_hand")) == {"OXF-BLU-M": 3, "OXF-BLU-L": 5}


def test_stock_that_moved_since_the_preview_asks_again(
    client, previewed, sku, lyon, django_capture_on_commit_callbacks
):
    # given a sale took one of the units the snapshot would zero, after the preview
    other = StockLevel.objects.get(sku__code="OXF-BLU-L")
    services.stock_adjust(sku=other.sku, location=lyon, delta=-1, trace=Trace(reason="theft"))
    # when head office confirms what it saw
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("inventory:stock_import_confirm", args=[previewed.pk]),
            {"digest": previewed.preview["digest"]},
        )
    # then nothing is applied and the new figures wait for confirmation
    previewed.refresh_from_db()
    assert previewed.status == "preview" and previewed.preview["moved"] is True
    assert previewed.preview["zeroed_skus"] == [
        {"sku": "OXF-BLU-L", "location": lyon.code, "before": 4, "after": 0}
    ]
    assert dict(StockLevel.objects.values_list("sku__code", "on_hand")) == {"OXF-BLU-M": 3, "OXF-BLU-L": 4}
    assert (
        "Stock moved since the preview"
        in client.get(reverse("inventory:stock_import_detail", args=[previewed.pk])).text
    )
    # an old page's confirmation is refused; the new one applies
    stale = client.post(
        reverse("inventory:stock_import_confirm", args=[previewed.pk]), {"digest": "0" * 32}, follow=True
    )
    assert "no longer waiting for this confirmation" in stale.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("inventory:stock_import_confirm", args=[previewed.pk]),
            {"digest": previewed.preview["digest"]},
        )
    previewed.refresh_from_db()
    assert previewed.status == "applied"
    assert dict(StockLevel.objects.values_list("sku__code", "on_hand")) == {"OXF-BLU-M": 12, "OXF-BLU-L": 0}


def test_malformed_csv_is_rejected_row_by_row(
    client, head_office, sku, lyon, django_capture_on_commit_callbacks
):
    client.force_login(head_office)
    content = f"sku,on_hand\n{sku.code},12\nNOPE,3\n{sku.code},douze\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, "bad.csv", content, mode="snapshot", location=lyon.pk)
    stock_import = StockImport.objects.get()
    assert stock_import.status == "rejected"
    assert [e["row"] for e in stock_import.result["errors"]] == [
        1,
        2,
    ]  # NOPE is unknown; "douze" is no number
    assert not StockLevel.objects.exists()


def test_import_with_missing_columns_or_garbage_is_rejected(
    client, head_office, lyon, django_capture_on_commit_callbacks
):
    client.force_login(head_office)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, "cols.csv", b"reference,qty\nA,1\n", mode="delta")
        _upload(client, "garbage.xlsx", b"not a zip", mode="delta")
    results = [i.result["detail"] for i in StockImport.objects.order_by("pk")]
    assert "on_hand" not in results[0] and "sku" in results[0]
    assert "Excel" in results[1]
    assert _upload(client, "notes.pdf", b"%PDF", mode="delta").status_code == 200  # refused by the form
    assert _upload(client, "stock.csv", b"sku;on_hand\n", location=lyon.pk).status_code == 200  # no mode


def test_only_head_office_imports(client, lyon_associate):
    client.force_login(lyon_associate)
    assert client.get(reverse("inventory:stock_import")).status_code == 403


def test_sku_search_forgives_accents_and_pages_long_results(client, call_centre):
    from tests.factories import SKUFactory

    for n in range(55):
        SKUFactory(code=f"ROBE-{n:03d}", name=f"Robe Chloé taille {n}")
    SKUFactory(code="PULL-001", name="Pull marin")
    client.force_login(call_centre)
    first = client.get(reverse("inventory:stock_search"), {"q": "chloe"}, HTTP_ACCEPT_LANGUAGE="en")
    assert len(first.context["skus"]) == 50 and "55 results" in first.content.decode()
    second = client.get(reverse("inventory:stock_search"), {"q": "chloe", "page": 2}, HTTP_HX_REQUEST="true")
    assert [sku.code for sku in second.context["skus"]] == [f"ROBE-{n:03d}" for n in range(50, 55)]
    assert "q=chloe" in second.content.decode()  # the pager keeps the search
