import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date

from accounts.models import ApiClient, User
from accounts.services import api_client_create
from omni.errors import DomainError

LOCATION = ApiClient._meta.get_field("location").related_model


class Command(BaseCommand):
    help = "Create an API client and print its key once (it is stored hashed)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--profile", required=True, choices=ApiClient.Profile.values)
        parser.add_argument("--location", help="Location code: the vendor's or the store's.")
        parser.add_argument("--user", help="An existing integration user to act as (default: api.<name>).")
        parser.add_argument("--expires", help="YYYY-MM-DD; default OMNI_API_TOKEN_DAYS from now.")
        parser.add_argument("--never-expires", action="store_true")

    def handle(self, *args, name, profile, location, user, expires, never_expires, **options):
        fields = {}
        if never_expires:
            fields["expires_at"] = None
        elif expires:
            day = parse_date(expires)
            if day is None:
                raise CommandError("--expires takes a date, YYYY-MM-DD.")
            fields["expires_at"] = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        try:
            client, key = api_client_create(
                name=name,
                profile=profile,
                location=LOCATION.objects.get(code=location) if location else None,
                user=User.objects.get(username=user) if user else None,
                **fields,
            )
        except (LOCATION.DoesNotExist, User.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"API client {client.name} ({client.get_profile_display()}), acting as {client.user.username}."
        )
        self.stdout.write(f"Key (shown once): {key}")
