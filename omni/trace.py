"""Who did it, when, from which channel, why: the record every write carries.

Services take a ``trace`` and write it on the rows they create (stock ledger, order timeline,
sourcing failures), so every state change can be explained.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """Where a change came from (the sales channels, and the back office's own doors)."""

    WEB = "web", _("Web shop")
    STORE = "store", _("Store")
    CALL_CENTRE = "call_centre", _("Call centre")
    MARKETPLACE = "marketplace", _("Marketplace")
    SOCIAL = "social", _("Social commerce")
    HEAD_OFFICE = "head_office", _("Head office")
    INTEGRATION = "integration", _("Integration")
    SYSTEM = "system", _("System")


CHANNEL_OF_ROLE = {
    "head_office": Channel.HEAD_OFFICE,
    "call_centre": Channel.CALL_CENTRE,
    "store_associate": Channel.STORE,
    "integration": Channel.INTEGRATION,
}


@dataclass(frozen=True)
class Trace:
    """Who changed something, from which channel, and why."""

    actor: object | None = None
    channel: str = Channel.SYSTEM
    reference: str = ""
    note: str = ""
    reason: str = ""
    # The API client the actor acts for (accounts.ApiClient), found from the actor when not given.
    api_client: object | None = None

    def __post_init__(self):
        if self.api_client is None and (client := getattr(self.actor, "acting_client", None)):
            object.__setattr__(self, "api_client", client)

    @classmethod
    def of(cls, user, **fields) -> Trace:
        """A trace for a signed-in user, its channel following their role."""
        return cls(
            actor=user,
            channel=CHANNEL_OF_ROLE.get(getattr(user, "effective_role", ""), Channel.SYSTEM),
            **fields,
        )
