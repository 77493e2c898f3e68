"""List central subsidy paid twice for the same work in the same estate (§3)."""

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from renovation.selectors import central_subsidy_violations


class Command(BaseCommand):
    help = "同一小区同一改造内容重复使用中央补助的情况（发现即以状态1退出）。"

    def handle(self, *args, **options):
        from accounts.models import User

        system = User(is_superuser=True, is_active=True)  # the whole database, as a superuser sees it
        violations = central_subsidy_violations(user=system)
        for v in violations:
            self.stdout.write(f"{v.street}\t{v.estate}\t{v.item}\t{'、'.join(v.projects)}")
        if violations:
            self.stdout.write(_("共%(n)s处重复使用中央补助。") % {"n": len(violations)})
            sys.exit(1)
        self.stdout.write(_("未发现重复使用中央补助。"))
