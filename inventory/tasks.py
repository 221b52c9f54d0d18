from celery import shared_task

from omni.outages import IDEMPOTENT, RETRY_ON_OUTAGE

from . import services


@shared_task(ignore_result=True, **RETRY_ON_OUTAGE, **IDEMPOTENT)
def release_expired_reservations() -> int:
    """Beat runs it every minute; two copies at once release each hold once (see the service)."""
    return services.reservations_release_expired()


@shared_task(ignore_result=True, **RETRY_ON_OUTAGE, **IDEMPOTENT)
def preview_stock_import(import_id: int) -> None:
    """A second copy computes the same preview (or finds the import no longer pending)."""
    from .imports import stock_import_preview

    stock_import_preview(import_id=import_id)


@shared_task(ignore_result=True, **RETRY_ON_OUTAGE, **IDEMPOTENT)
def apply_stock_import(import_id: int) -> None:
    """Runs once: a second copy finds the import no longer confirmed and does nothing."""
    from .imports import stock_import_apply

    stock_import_apply(import_id=import_id)


@shared_task(ignore_result=True, **RETRY_ON_OUTAGE, **IDEMPOTENT)
def resume_stock_imports() -> None:
    """Beat, every minute: an import whose preview or apply task was lost is queued again."""
    from .imports import stock_imports_resume

    stock_imports_resume()
