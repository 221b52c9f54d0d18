"""The orders list as a CSV file that Excel opens as it is in France.

Excel reads a CSV with the separator and decimal mark of the computer's regional settings and
guesses the encoding. So: a UTF-8 byte order mark first (accents come out right), ``;``
between fields, amounts with a decimal comma and no thousands separator (``1234,50``: a
number Excel can add up, in French settings), dates as ``YYYY-MM-DD HH:MM`` in the local
time (Excel recognises them whatever the language). Headings, channels and statuses are in
the reader's language; the order number, channel and status codes are not translated.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from omni.templatetags.omni_format import phone

BOM = "\ufeff"
# Characters that make a spreadsheet read a cell as a formula: kept as text with a quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _text(value: str) -> str:
    return f"'{value}" if value and value.startswith(_FORMULA_START) else value


def order_csv_lines(orders: Iterable) -> Iterator[str]:
    """The heading, then one line per order (``orders`` with their customer selected), in the
    language active when it is called (the lines are written later, as the file streams)."""
    return _lines(orders, get_language())


def _lines(orders: Iterable, language: str) -> Iterator[str]:
    with override(language):
        yield from _rows(orders)


def _rows(orders: Iterable) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")
    yield BOM + writer.writerow(
        [
            _("Order"),
            _("Placed"),
            _("Channel"),
            _("Status"),
            _("Customer"),
            _("E-mail"),
            _("Phone"),
            _("Postcode"),
            _("City"),
            _("Subtotal"),
            _("Discounts"),
            _("Delivery"),
            _("Total"),
            _("Currency"),
        ]
    )
    rows = orders.iterator(chunk_size=500) if hasattr(orders, "iterator") else orders
    for order in rows:
        address = order.shipping_address or order.billing_address or {}
        customer = order.customer
        yield writer.writerow(
            [
                order.number,
                f"{timezone.localtime(order.placed_at):%Y-%m-%d %H:%M}",
                order.get_channel_display(),
                order.get_status_display(),
                _text(f"{customer.first_name} {customer.last_name}".strip()),
                _text(customer.email),
                phone(customer.phone) if customer.phone else "",
                _text(str(address.get("postcode", ""))),
                _text(str(address.get("city", ""))),
                _amount(order.subtotal),
                _amount(order.discount_total),
                _amount(order.delivery_total),
                _amount(order.total),
                order.currency,
            ]
        )
