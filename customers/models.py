"""Customers, identified by e-mail and/or phone (normalised, so one person is one row)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Customer(models.Model):
    email = models.EmailField(_("e-mail"), blank=True)
    # E.164 (+33612345678), so "06 12 34 56 78" and "+33 6 12 34 56 78" are the same person.
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.CheckConstraint(
                name="customer_has_email_or_phone",
                condition=~Q(email="") | ~Q(phone=""),
                violation_error_message=_("A customer needs an e-mail address or a phone number."),
            ),
            # E-mails are stored lower-cased by the services; unique when present.
            models.UniqueConstraint(fields=["email"], name="customer_email_unique", condition=~Q(email="")),
            models.UniqueConstraint(fields=["phone"], name="customer_phone_unique", condition=~Q(phone="")),
        ]
        indexes = [models.Index(fields=["last_name"], name="customer_last_name")]

    def __str__(self):
        return self.full_name or self.email or self.phone

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Address(models.Model):
    """An address a customer has used. Orders keep their own copy, so editing this
    never rewrites where a past order went."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField(_("name"), max_length=200)
    line1 = models.CharField(_("address"), max_length=200)
    line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=12)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="FR")
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    last_used_at = models.DateTimeField(_("last used"), auto_now=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-last_used_at"]

    def __str__(self):
        return f"{self.name}, {self.line1}, {self.postcode} {self.city}"
