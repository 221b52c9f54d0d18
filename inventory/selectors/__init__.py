"""Reads of the inventory app. Import the functions from here."""

from .alerts import (
    ALERT_BEING_COUNTED,
    ALERT_NOTHING_TO_PROMISE,
    STOCK_ALERTS,
    skus_with_alert,
    stock_alert_counts,
)
from .atp import atp_expression, atp_sql, atp_where_positive
from .availability import SkuAvailability, StoreAvailability, network_availability, stores_near
from .backorders import DEFAULT_POLICY, PolicyFacts, backorder_policies
from .counts import CountToDo, count_task_get, count_tasks_open
from .locations import (
    LOCATION_CAPABILITY_FILTERS,
    location_get_for_user,
    location_history,
    location_is_open_now,
    location_list,
    location_weekly_hours,
    locations_visible_to,
    network_summary,
    store_choices,
)
from .stock import (
    catalogue_unknown,
    location_stock,
    movement_history,
    product_codes_of,
    sku_get,
    sku_network_stock,
    sku_search,
    skus_by_code,
    stock_level_for_user,
    with_atp,
)

__all__ = [
    "ALERT_BEING_COUNTED",
    "ALERT_NOTHING_TO_PROMISE",
    "STOCK_ALERTS",
    "skus_with_alert",
    "stock_alert_counts",
    "catalogue_unknown",
    "DEFAULT_POLICY",
    "PolicyFacts",
    "backorder_policies",
    "atp_expression",
    "atp_sql",
    "atp_where_positive",
    "CountToDo",
    "count_task_get",
    "count_tasks_open",
    "LOCATION_CAPABILITY_FILTERS",
    "SkuAvailability",
    "StoreAvailability",
    "location_get_for_user",
    "location_history",
    "location_is_open_now",
    "location_list",
    "location_stock",
    "location_weekly_hours",
    "locations_visible_to",
    "movement_history",
    "network_availability",
    "network_summary",
    "product_codes_of",
    "sku_get",
    "sku_network_stock",
    "sku_search",
    "skus_by_code",
    "store_choices",
    "stock_level_for_user",
    "stores_near",
    "with_atp",
]
