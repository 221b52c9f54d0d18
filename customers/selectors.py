"""Reads of the customers app."""

from django.db.models import Q, QuerySet

from .models import Customer
from .services import normalise_email


def customer_search(*, query: str, limit: int = 20) -> QuerySet[Customer]:
    """By e-mail, phone (any common spelling) or name."""
    from omni.errors import DomainError

    from .services import normalise_phone

    query = query.strip()
    if not query:
        return Customer.objects.none()
    condition = (
        Q(email=normalise_email(query)) | Q(last_name__istartswith=query) | Q(first_name__istartswith=query)
    )
    try:
        if phone := normalise_phone(query):
            condition |= Q(phone=phone)
    except DomainError:
        pass
    return Customer.objects.filter(condition)[:limit]
