from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def release_expired_reservations() -> int:
    """Beat runs it every minute; two copies at once release each hold once (see the service)."""
    return services.reservations_release_expired()


@shared_task(ignore_result=True)
def preview_stock_import(import_id: int) -> None:
    from .imports import stock_import_preview

    stock_import_preview(import_id=import_id)


@shared_task(ignore_result=True)
def apply_stock_import(import_id: int) -> None:
    from .imports import stock_import_apply

    stock_import_apply(import_id=import_id)
