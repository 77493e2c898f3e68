from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from org.models import Community, District, StreetOffice


class Role(models.TextChoices):
    DISTRICT_OFFICIAL = "district_official", _("区级管理人员")
    STREET_STAFF = "street_staff", _("街道工作人员")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    AUDITOR = "auditor", _("只读审计")


class User(AbstractUser):
    """A portal account: one role, attached to one node of the organisation tree.

    District officials hang off a district, street staff off a street office,
    community workers off a community; an auditor may sit at any of the three.
    What the user sees follows from that node (accounts.scoping).
    """

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("所属区")
    )
    street = models.ForeignKey(
        StreetOffice, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("所属街道")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("所属社区")
    )
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            # A role belongs to exactly one node, at the level the role works at.
            models.CheckConstraint(
                condition=Q(role="")
                | Q(role=Role.DISTRICT_OFFICIAL, district__isnull=False, street__isnull=True, community__isnull=True)
                | Q(role=Role.STREET_STAFF, district__isnull=True, street__isnull=False, community__isnull=True)
                | Q(role=Role.COMMUNITY_WORKER, district__isnull=True, street__isnull=True, community__isnull=False)
                | Q(role=Role.AUDITOR, district__isnull=False, street__isnull=True, community__isnull=True)
                | Q(role=Role.AUDITOR, district__isnull=True, street__isnull=False, community__isnull=True)
                | Q(role=Role.AUDITOR, district__isnull=True, street__isnull=True, community__isnull=False),
                name="user_role_matches_one_node",
                violation_error_message=_(
                    "角色与所属单位不匹配：区级人员选区，街道人员选街道，社区工作者选社区，审计人员三者选一。"
                ),
            ),
        ]

    def get_full_name(self):
        """Chinese order: family name first, no space (王建国, not 建国 王)."""
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def node(self):
        return self.community or self.street or self.district

    @property
    def node_name(self):
        node = self.node
        return str(node) if node else ""
