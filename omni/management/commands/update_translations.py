"""Extract messages, merge them into locale/*/django.po and compile django.mo (no GNU gettext needed)."""

from django.core.management.base import BaseCommand, CommandError

from omni.i18n import update_catalogue

# English is the source language: only French needs a catalogue.
TRANSLATED_LANGUAGES = ("fr",)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail when a message has no translation.")

    def handle(self, *args, check: bool = False, **options):
        missing_any = False
        for language in TRANSLATED_LANGUAGES:
            path, untranslated = update_catalogue(language)
            self.stdout.write(f"{path}: {len(untranslated)} untranslated")
            for msgid in untranslated:
                self.stdout.write(f"  - {msgid}")
            missing_any |= bool(untranslated)
        if check and missing_any:
            raise CommandError("Some messages have no translation: edit the .po files and run this again.")
