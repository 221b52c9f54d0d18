from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
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

    @property
    def acting_client(self) -> "ApiClient | None":
        """The API client this integration user acts as (one per user), or None."""
        if self.role != Role.INTEGRATION:
            return None
        try:
            return self.api_client
        except ObjectDoesNotExist:
            return None

    @property
    def bound_location_id(self) -> int | None:
        """The one location whose work this user may see: a store associate's store, or the
        location an API client is bound to (a vendor's, a store system's). None = no binding."""
        if self.is_store_associate:
            return self.store_id
        client = self.acting_client
        return client.location_id if client else None


class ApiClient(models.Model):
    """A system that calls the REST API (web shop, ERP/PIM, drop-ship vendor, store system).

    It acts as its own integration user, so orders, timelines and the ledger name it; its
    profile decides which operations it may call (``accounts.access.GRANTS``) and its location
    which fulfilment orders it sees. Only a hash of the key is stored; the key is shown once.
    """

    class Profile(models.TextChoices):
        WEB_SHOP = "web_shop", _("Web shop")
        ERP_PIM = "erp_pim", _("ERP / PIM")
        DROPSHIP_VENDOR = "dropship_vendor", _("Drop-ship vendor")
        STORE_SYSTEM = "store_system", _("Store system")

    BOUND_TO_LOCATION = (Profile.DROPSHIP_VENDOR, Profile.STORE_SYSTEM)

    name = models.CharField(_("name"), max_length=100, unique=True)
    profile = models.CharField(_("profile"), max_length=20, choices=Profile.choices)
    location = models.ForeignKey(
        "inventory.Location",
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_clients",
        help_text=_("The vendor's location (drop-ship vendor) or the store (store system); empty otherwise."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.PROTECT,
        related_name="api_client",
        help_text=_("The integration user named on orders, timelines and the stock ledger."),
    )
    key_prefix = models.CharField(_("key prefix"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("key rotated at"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="api_client_location_follows_profile",
                condition=(
                    Q(profile__in=["dropship_vendor", "store_system"], location__isnull=False)
                    | (~Q(profile__in=["dropship_vendor", "store_system"]) & Q(location__isnull=True))
                ),
                violation_error_message=_(
                    "A drop-ship vendor or a store system needs its location; other profiles have none."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The location model by relation, not by import: inventory's pages use accounts' access
        # rules, so accounts imports nothing from inventory.
        Location = self._meta.get_field("location").related_model  # noqa: N806
        wanted = {
            self.Profile.DROPSHIP_VENDOR: Location.Kind.DROP_SHIP_VENDOR,
            self.Profile.STORE_SYSTEM: Location.Kind.STORE,
        }.get(self.profile)
        if wanted and self.location_id and self.location.kind != wanted:
            raise ValidationError(
                {"location": _("A %(profile)s is bound to a location of kind %(kind)s.")
                 % {"profile": self.get_profile_display(), "kind": Location.Kind(wanted).label}}
            )  # fmt: skip

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired
