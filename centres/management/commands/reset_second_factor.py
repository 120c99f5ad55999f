"""Remove a login's authenticator app and backup codes, for someone who lost their phone: at the next login they
enrol a new app. Check who is asking first — whoever knows the password can then enrol."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from centres import second_factor


class Command(BaseCommand):
    help = "Remove a login's second factor (authenticator app and backup codes); it enrols again at its next login."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No login is named %(name)s.") % {"name": username})
        removed = second_factor.reset(user)
        self.stdout.write(
            f"Removed {removed} second-factor device(s) of {username!r}: at the next login they enrol a new app."
        )
