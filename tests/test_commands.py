"""create_login: a login with a password the person chose, in the right group."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def answer_prompts(monkeypatch, *answers):
    replies = iter(answers)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(replies))


def test_create_login_makes_a_staff_editor_with_the_chosen_password(monkeypatch):
    answer_prompts(monkeypatch, "a long chosen passphrase", "a long chosen passphrase")
    call_command("create_login", "aigerim", "--role", "editor")
    user = User.objects.get(username="aigerim")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["editor"]
    assert user.check_password("a long chosen passphrase")


def test_create_login_makes_an_advocate_without_the_editor_area(monkeypatch):
    answer_prompts(monkeypatch, "a long chosen passphrase", "a long chosen passphrase")
    call_command("create_login", "dana", "--role", "advocate")
    user = User.objects.get(username="dana")
    assert not user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == ["advocate"]


def test_create_login_refuses_weak_or_mismatched_passwords_and_creates_nothing(monkeypatch):
    answer_prompts(
        monkeypatch, "short", "short", "one long passphrase", "another long one", "12345678901234", "12345678901234"
    )
    with pytest.raises(CommandError):
        call_command("create_login", "erlan", "--role", "editor")
    assert not User.objects.filter(username="erlan").exists()
