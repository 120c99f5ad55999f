"""Create a login for an editor or an advocate, asking for the password (no account has a known password)."""

import getpass

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

ROLES = {"editor": True, "advocate": False}  # role -> may use the editor area (is_staff)


class Command(BaseCommand):
    help = "Create a login in the 'editor' or 'advocate' group. The password is asked for twice."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLES), required=True)
        parser.add_argument("--email", default="")

    def handle(self, *args, username: str, role: str, email: str, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(_("A login named %(name)s already exists.") % {"name": username})
        user = User(username=username, email=email, is_staff=ROLES[role])
        password = self._ask_password(user)
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=role))
        self.stdout.write(self.style.SUCCESS(f"Created {role} {username!r}."))

    def _ask_password(self, user) -> str:
        for _attempt in range(3):
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The two passwords differ.")
                continue
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            return password
        raise CommandError(_("No password set; nothing created."))
