"""The kernel's own tables: only what every app's API shares."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotentRequest(models.Model):
    """A POST answered under an ``Idempotency-Key``: a retry with the same key and body gets
    this answer again instead of doing the work twice (orders keep their own keys, see
    ``orders.IdempotencyKey``). Kept for ``OMNI_IDEMPOTENCY_KEY_HOURS``."""

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    operation = models.CharField(_("operation"), max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotent_request_per_client")
        ]

    def __str__(self):
        return f"{self.operation} {self.key}"
