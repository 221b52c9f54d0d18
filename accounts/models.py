from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    HEAD_OFFICE = "head_office", _("Head office")
    CALL_CENTRE = "call_centre", _("Call centre")
    STORE_ASSOCIATE = "store_associate", _("Store associate")
    INTEGRATION = "integration", _("Integration client")


class User(AbstractUser):
    """A person (or a system, for integration clients) who uses Omni.

    The role decides what they see; a store associate is bound to one store.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CALL_CENTRE)
    store = models.ForeignKey(
        "inventory.Location",
        verbose_name=_("store"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="associates",
        help_text=_("Required for store associates, empty for everyone else."),
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="store_associate_has_exactly_one_store",
                condition=(
                    Q(role="store_associate", store__isnull=False)
                    | (~Q(role="store_associate") & Q(store__isnull=True))
                ),
                violation_error_message=_("A store associate needs a store; other roles have none."),
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_head_office(self) -> bool:
        return self.is_superuser or self.role == Role.HEAD_OFFICE

    @property
    def is_call_centre(self) -> bool:
        return self.role == Role.CALL_CENTRE

    @property
    def is_store_associate(self) -> bool:
        return self.role == Role.STORE_ASSOCIATE and not self.is_superuser

    @property
    def is_integration_client(self) -> bool:
        return self.role == Role.INTEGRATION and not self.is_superuser

    @property
    def effective_role(self) -> str:
        return Role.HEAD_OFFICE if self.is_superuser else self.role
