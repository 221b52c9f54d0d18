"""Count tasks waiting at a location, with what the stock says now."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from ..models import CountTask, Location, StockLevel


@dataclass
class CountToDo:
    task: CountTask
    on_hand: int
    reserved: int


def count_tasks_open(*, location: Location) -> list[CountToDo]:
    """The SKUs the location is asked to count, oldest first, with on hand and reserved now."""
    tasks = list(
        CountTask.objects.filter(location=location, status=CountTask.Status.OPEN)
        .select_related("sku", "raised_by")
        .order_by("raised_at", "pk")
    )
    levels = {
        sku_id: (on_hand, reserved)
        for sku_id, on_hand, reserved in StockLevel.objects.filter(
            location=location, sku_id__in=[t.sku_id for t in tasks]
        ).values_list("sku_id", "on_hand", "reserved")
    }
    return [CountToDo(task, *levels.get(task.sku_id, (0, 0))) for task in tasks]


def count_task_get(*, location: Location, task_id: int) -> CountTask:
    """One of the location's count tasks; 404 for another location's."""
    try:
        return CountTask.objects.select_related("sku", "location").get(pk=task_id, location=location)
    except CountTask.DoesNotExist as error:
        raise Http404 from error
