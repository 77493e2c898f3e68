"""Owners' votes (业主共同决定, Civil Code art. 278): the rules per subject, the
votes, the register of electors and their ballots.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import BallotChoice, VoteStatus, VoteSubject
from ._scoping import ESTATE_SCOPE


class VoteThreshold(models.Model):
    """表决规则: quorum and passing share for one subject, by area and by heads.

    `inclusive` says whether reaching the share exactly passes ("at least 3/4")
    or only exceeding it does ("more than half")."""

    subject = models.CharField(_("表决事项"), max_length=24, choices=VoteSubject.choices, unique=True)
    quorum_numerator = models.PositiveSmallIntegerField(_("参与比例分子"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("参与比例分母"), default=3)
    pass_numerator = models.PositiveSmallIntegerField(_("同意比例分子"))
    pass_denominator = models.PositiveSmallIntegerField(_("同意比例分母"))
    pass_inclusive = models.BooleanField(_("达到即通过"), help_text=_("“四分之三以上”为是；“过半数”为否。"))
    legal_basis = models.CharField(_("依据"), max_length=200, default="《民法典》第二百七十八条")

    class Meta:
        verbose_name = _("表决规则")
        verbose_name_plural = _("表决规则")
        ordering = ["subject"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_denominator__gt=0)
                & Q(pass_denominator__gt=0)
                & Q(quorum_numerator__lte=models.F("quorum_denominator"))
                & Q(pass_numerator__lte=models.F("pass_denominator")),
                name="vote_threshold_fractions_valid",
            )
        ]

    def __str__(self):
        return self.get_subject_display()


class OwnersVote(models.Model):
    """业主共同决定: one matter put to the estate's owners."""

    estate = models.ForeignKey(
        "communities.Estate", on_delete=models.PROTECT, related_name="owners_votes", verbose_name=_("小区")
    )
    subject = models.CharField(_("表决事项类型"), max_length=24, choices=VoteSubject.choices)
    title = models.CharField(_("表决事项"), max_length=200)
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=8, choices=VoteStatus.choices, default=VoteStatus.OPEN)
    # The rule in force when the vote opened, kept with the vote.
    quorum = models.CharField(_("参与比例"), max_length=12)
    threshold = models.CharField(_("同意比例"), max_length=12)
    threshold_inclusive = models.BooleanField(_("达到即通过"))
    # Result, fixed at closing.
    eligible_area = models.DecimalField(_("专有部分总面积"), max_digits=14, decimal_places=2, default=0)
    eligible_heads = models.PositiveIntegerField(_("业主总人数"), default=0)
    participating_area = models.DecimalField(_("参与表决面积"), max_digits=14, decimal_places=2, null=True, blank=True)
    participating_heads = models.PositiveIntegerField(_("参与表决人数"), null=True, blank=True)
    agreeing_area = models.DecimalField(_("同意面积"), max_digits=14, decimal_places=2, null=True, blank=True)
    agreeing_heads = models.PositiveIntegerField(_("同意人数"), null=True, blank=True)
    quorum_met = models.BooleanField(_("达到参与比例"), null=True, blank=True)
    passed = models.BooleanField(_("通过"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope_paths = ESTATE_SCOPE

    class Meta:
        verbose_name = _("业主共同决定")
        verbose_name_plural = _("业主共同决定")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="vote_closes_after_opening",
                violation_error_message=_("截止日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(status="open", passed__isnull=True, closed_at__isnull=True)
                | Q(status="closed", passed__isnull=False, closed_at__isnull=False),
                name="vote_result_only_when_closed",
            ),
        ]
        indexes = [models.Index(fields=["estate", "status", "subject"], name="vote_estate_status_idx")]

    def __str__(self):
        return self.title


class VoteElector(models.Model):
    """One home eligible in a vote: the register as it stood when the vote opened."""

    vote = models.ForeignKey(OwnersVote, on_delete=models.CASCADE, related_name="electors")
    household = models.ForeignKey("communities.Household", on_delete=models.PROTECT, related_name="+")
    owner_key = models.CharField(max_length=140)
    owner_name = models.CharField(_("业主姓名"), max_length=100)
    area = models.DecimalField(_("专有部分面积"), max_digits=9, decimal_places=2)
    code_hash = models.CharField(max_length=64, blank=True)
    code_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("表决权人")
        verbose_name_plural = _("表决权人")
        constraints = [
            models.UniqueConstraint(fields=["vote", "household"], name="elector_once_per_vote"),
            models.UniqueConstraint(fields=["code_hash"], condition=~Q(code_hash=""), name="elector_code_unique"),
        ]

    def __str__(self):
        return self.owner_name


class Ballot(models.Model):
    """表决票: one home's vote, keyed in from paper or cast online with a one-time code."""

    class Channel(models.TextChoices):
        PAPER = "paper", _("纸质票录入")
        ONLINE = "online", _("网上表决")

    vote = models.ForeignKey(OwnersVote, on_delete=models.PROTECT, related_name="ballots")
    elector = models.OneToOneField(VoteElector, on_delete=models.PROTECT, related_name="ballot")
    choice = models.CharField(_("意见"), max_length=8, choices=BallotChoice.choices)
    channel = models.CharField(_("方式"), max_length=8, choices=Channel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cast_at = models.DateTimeField(_("投票时间"), default=timezone.now)

    class Meta:
        verbose_name = _("表决票")
        verbose_name_plural = _("表决票")

    def __str__(self):
        return str(self.get_choice_display())
