"""以奖代补: the yearly scheme (kept as data), the district's scores of its streets
and communities, and the awards a district official approves. Approved awards are
paid through the disbursement batches (services.disbursement adds them to the open
batch, to the street service centre's payee record)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action, can, get_scoped_object_or_404, scoped
from communities.selectors import communities_for, streets_for
from org.models import District
from propertymgmt.models import RewardAward, RewardScheme
from propertymgmt.services.common import FEN

SHARE_PLACES = Decimal("0.001")


def _decimal(value, *, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("“%(l)s”应为数字。") % {"l": label}}) from None
    if not number.is_finite():
        raise ValidationError({field: _("“%(l)s”应为数字。") % {"l": label}})
    return number


def _plain(number: Decimal) -> str:
    """80 → "80", 12.50 → "12.5" (normalize() alone would write 8E+1)."""
    return format(number.normalize(), "f")


def clean_items(items) -> list[dict]:
    """The scheme's items: a code, a name and the points of each, 100 in all."""
    if not isinstance(items, list) or not items:
        raise ValidationError({"items": _("请至少填写一个考核项目。")})
    cleaned, codes = [], set()
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValidationError({"items": _("第%(n)s个考核项目格式不正确。") % {"n": number}})
        code, name = str(item.get("code", "")).strip(), str(item.get("name", "")).strip()
        if not code or not name or len(code) > 20 or len(name) > 50:
            raise ValidationError(
                {"items": _("第%(n)s个考核项目须有代码（20字以内）和名称（50字以内）。") % {"n": number}}
            )
        if code in codes:
            raise ValidationError({"items": _("考核项目代码“%(c)s”重复。") % {"c": code}})
        points = _decimal(item.get("points"), field="items", label=_("分值"))
        if points <= 0:
            raise ValidationError({"items": _("“%(name)s”的分值须大于0。") % {"name": name}})
        codes.add(code)
        cleaned.append({"code": code, "name": name, "points": _plain(points)})
    total = sum(Decimal(item["points"]) for item in cleaned)
    if total != 100:
        raise ValidationError({"items": _("考核项目分值合计应为100分，现为%(t)s分。") % {"t": _plain(total)}})
    return cleaned


def clean_tiers(tiers) -> list[dict]:
    """The reward tiers: from `min_score` on, `share` of the full reward; highest first."""
    if not isinstance(tiers, list) or not tiers:
        raise ValidationError({"tiers": _("请至少填写一个奖励档次。")})
    cleaned = []
    for number, tier in enumerate(tiers, start=1):
        if not isinstance(tier, dict):
            raise ValidationError({"tiers": _("第%(n)s个奖励档次格式不正确。") % {"n": number}})
        min_score = _decimal(tier.get("min_score"), field="tiers", label=_("最低分"))
        share = _decimal(tier.get("share"), field="tiers", label=_("奖励比例"))
        if not 0 <= min_score <= 100:
            raise ValidationError({"tiers": _("第%(n)s个奖励档次的最低分应在0至100之间。") % {"n": number}})
        if not 0 < share <= 1:
            raise ValidationError({"tiers": _("第%(n)s个奖励档次的奖励比例应大于0且不超过1。") % {"n": number}})
        cleaned.append({"min_score": _plain(min_score), "share": str(share.quantize(SHARE_PLACES))})
    cleaned.sort(key=lambda tier: Decimal(tier["min_score"]), reverse=True)
    if len({tier["min_score"] for tier in cleaned}) != len(cleaned):
        raise ValidationError({"tiers": _("奖励档次的最低分不能重复。")})
    return cleaned


def share_for(scheme: RewardScheme, score: Decimal) -> Decimal:
    """The share of the full reward a score earns: the highest tier it reaches, else 0."""
    for tier in sorted(scheme.tiers, key=lambda tier: Decimal(tier["min_score"]), reverse=True):
        if score >= Decimal(tier["min_score"]):
            return Decimal(tier["share"]).quantize(SHARE_PLACES)
    return Decimal("0.000")


def _require_official(user) -> None:
    if not can(user, Action.APPROVE, RewardScheme):
        raise PermissionDenied(_("以奖代补由区级管理人员考核和审批。"))


@transaction.atomic
def save_scheme(*, user, data: dict, scheme_id: int | None = None) -> RewardScheme:
    """Create or change the district's scheme for a year; not once an award is approved."""
    _require_official(user)
    if scheme_id is None:
        district = get_scoped_object_or_404(District.objects.all(), user, Action.VIEW, pk=data.get("district"))
        scheme = RewardScheme(district=district)
    else:
        scheme = get_scoped_object_or_404(RewardScheme.objects.select_for_update(), user, Action.CHANGE, pk=scheme_id)
        if scheme.awards.filter(status=RewardAward.Status.APPROVED).exists():
            raise ValidationError(_("该办法已有审批的奖励，不能再修改。"))
    scheme.year = data.get("year")
    scheme.name = (data.get("name") or "").strip()
    scheme.items = clean_items(data.get("items"))
    scheme.tiers = clean_tiers(data.get("tiers"))
    scheme.street_reward = data.get("street_reward")
    scheme.community_reward = data.get("community_reward") or None
    scheme._history_user = user
    scheme.full_clean()
    scheme.save()
    return scheme


@transaction.atomic
def score_award(
    *, user, scheme_id: int, street_id: int, item_scores: dict, community_id: int | None = None
) -> RewardAward:
    """Score a street (or one of its communities) on the scheme: the score is the items
    summed, the share the tier it reaches, the amount the full reward times the share,
    rounded to the fen. A proposed award may be scored again; an approved one not."""
    _require_official(user)
    scheme = get_scoped_object_or_404(RewardScheme.objects.all(), user, Action.VIEW, pk=scheme_id)
    if not street_id:
        raise ValidationError({"street": _("请选择街道。")})
    street = get_scoped_object_or_404(streets_for(user=user), user, Action.VIEW, pk=street_id)
    if street.district_id != scheme.district_id:
        raise ValidationError({"street": _("该街道不属于本办法所在的区。")})
    community = None
    if community_id:
        if scheme.community_reward is None:
            raise ValidationError({"community": _("本年度办法不考核社区。")})
        community = get_scoped_object_or_404(communities_for(user=user), user, Action.VIEW, pk=community_id)
        if community.street_id != street.pk:
            raise ValidationError({"community": _("该社区不属于所选街道。")})
    scores, total = {}, Decimal("0")
    for item in scheme.items:
        raw = (item_scores or {}).get(item["code"], "")
        if raw in ("", None):
            raise ValidationError({item["code"]: _("请填写“%(name)s”的得分。") % {"name": item["name"]}})
        value = _decimal(raw, field=item["code"], label=item["name"])
        if not 0 <= value <= Decimal(item["points"]):
            raise ValidationError(
                {item["code"]: _("“%(name)s”得分应在0至%(max)s之间。") % {"name": item["name"], "max": item["points"]}}
            )
        scores[item["code"]] = str(value.quantize(FEN))
        total += value
    score = total.quantize(FEN)
    share = share_for(scheme, score)
    full = scheme.community_reward if community else scheme.street_reward
    award = RewardAward.objects.select_for_update().filter(scheme=scheme, street=street, community=community).first()
    if award is not None and award.status == RewardAward.Status.APPROVED:
        raise ValidationError(_("该奖励已审批，不能重新评分。"))
    award = award or RewardAward(scheme=scheme, street=street, community=community)
    award.item_scores, award.score, award.share = scores, score, share
    award.amount = (full * share).quantize(FEN)
    award.scored_by = user
    award._history_user = user
    try:
        with transaction.atomic():
            award.save()
    except IntegrityError as error:  # another official scored the same street at the same moment
        raise ValidationError(_("该街道（社区）本年度已评分，请刷新后再试。")) from error
    return award


@transaction.atomic
def approve_awards(*, user, scheme_id: int, award_ids) -> int:
    """A district official approves proposed awards of a scheme; from here the beat
    task pays them in the next batch. Returns how many were approved."""
    _require_official(user)
    scheme = get_scoped_object_or_404(RewardScheme.objects.all(), user, Action.VIEW, pk=scheme_id)
    awards = scoped(RewardAward.objects.select_for_update(), user, Action.APPROVE).filter(
        scheme=scheme, pk__in=[int(pk) for pk in award_ids if str(pk).isdigit()], status=RewardAward.Status.PROPOSED
    )
    approved = 0
    now = timezone.now()
    for award in awards:
        award.status, award.approved_by, award.approved_at = RewardAward.Status.APPROVED, user, now
        award._history_user = user
        award.save(update_fields=["status", "approved_by", "approved_at"])
        approved += 1
    if not approved:
        raise ValidationError(_("请选择待审批的奖励。"))
    return approved
