import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_passwords_are_hashed_with_argon2_in_every_environment_but_tests():
    from omni.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert identify_hasher(make_password("x", hasher="argon2")).algorithm == "argon2"


@pytest.mark.django_db
def test_sign_in_is_throttled_after_repeated_failures(client, head_office):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "claire", "password": "wrong"})
    # Even the right password is refused while locked out.
    response = client.post(reverse("accounts:login"), {"username": "claire", "password": "s3cret-pass!"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_forms_require_a_csrf_token(head_office, lyon):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(head_office)
    response = strict.post(reverse("inventory:location_set_active", args=[lyon.code]), {"active": "0"})
    assert response.status_code == 403
    lyon.refresh_from_db()
    assert lyon.is_active


@pytest.mark.django_db
def test_htmx_requests_carry_the_csrf_token(client, head_office):
    client.force_login(head_office)
    page = client.get(reverse("home"))
    assert 'hx-headers=\'{"X-CSRFToken": "' in page.text


def test_production_settings_pass_check_deploy():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "omni.settings.production",
        "SECRET_KEY": "p" * 20 + "production-secret-from-the-environment-0123456789",
        "ALLOWED_HOSTS": "omni.example.fr",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "omni.settings.production", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
