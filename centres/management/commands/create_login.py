"""Create a login for an editor, a centre's staff or an advocate (no account has a known password).

The password is asked for twice at a terminal, or read from standard input with `--password-stdin` (one line),
for scripts; it is never taken from the command line, where other users of the machine could read it.
"""

import getpass
import sys

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from centres.models import Centre, StaffAssignment
from centres.roles import CENTRE_STAFF, IN_EDITOR_AREA, ROLES


class Command(BaseCommand):
    help = (
        "Create a login with a role: editor, centre-staff (with --centre for each centre it works for) or advocate. "
        "The password is asked for twice, or read from standard input with --password-stdin."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLES), required=True)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--centre",
            action="append",
            default=[],
            metavar="SLUG",
            help="a centre a centre-staff login works for (the slug in its address); repeat for several",
        )
        parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    def handle(self, *args, username: str, role: str, email: str, centre: list[str], password_stdin: bool, **options):
        User = get_user_model()
        group_name = ROLES[role]
        if User.objects.filter(username=username).exists():
            raise CommandError(_("A login named %(name)s already exists.") % {"name": username})
        centres = self._centres(centre, group_name)
        user = User(username=username, email=email, is_staff=IN_EDITOR_AREA[group_name])
        password = self._read_password(user) if password_stdin else self._ask_password(user)
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=group_name))
            StaffAssignment.objects.bulk_create(StaffAssignment(user=user, centre=item) for item in centres)
        self.stdout.write(self.style.SUCCESS(f"Created {role} {username!r}."))
        for item in centres:
            self.stdout.write(f"  staff of {item.name} ({item.slug})")

    def _centres(self, slugs: list[str], group_name: str) -> list[Centre]:
        if group_name != CENTRE_STAFF:
            if slugs:
                raise CommandError(_("--centre is for centre-staff logins only."))
            return []
        if not slugs:
            raise CommandError(_("A centre-staff login needs at least one --centre SLUG."))
        found = {item.slug: item for item in Centre.objects.filter(slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            raise CommandError(_("No centre has the slug %(slugs)s; nothing created.") % {"slugs": ", ".join(missing)})
        return list(dict.fromkeys(found[slug] for slug in slugs))

    def _read_password(self, user) -> str:
        password = sys.stdin.readline().rstrip("\r\n")
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        return password

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
