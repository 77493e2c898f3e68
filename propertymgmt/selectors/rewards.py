"""以奖代补, read: the schemes a user may see and, for one scheme, every street of its
district (and the communities it scores) with the award and where its payment stands."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.scoping import Action, get_scoped_object_or_404, scoped
from communities.selectors import communities_for, streets_for
from core.db import ExactSum
from propertymgmt.models import BatchLine, Payee, PayeeBody, RewardAward, RewardScheme
from propertymgmt.selectors.disbursement import payout_label, with_payout_state


def reward_schemes_for(*, user) -> QuerySet:
    return scoped(RewardScheme.objects.select_related("district"), user).order_by("-year", "district__code")


def reward_scheme_for(*, user, scheme_id, action: Action = Action.VIEW) -> RewardScheme:
    return get_scoped_object_or_404(RewardScheme.objects.select_related("district"), user, action, pk=scheme_id)


@dataclass
class AwardRow:
    street: object
    community: object | None
    award: RewardAward | None
    payout: str

    @property
    def scores(self) -> list:
        """The award's item scores in the scheme's order ("—" where none)."""
        if self.award is None:
            return []
        return [self.award.item_scores.get(item["code"], "—") for item in self.award.scheme.items]

    @property
    def share_percent(self):
        return None if self.award is None else self.award.share * 100


def award_rows(*, user, scheme: RewardScheme) -> list[AwardRow]:
    """Every street of the scheme's district the user may see, each followed by its
    scored communities: its award (None if not scored yet) and its payout state.
    Three queries, whatever the district's size."""
    awards = {
        (award.street_id, award.community_id): award
        for award in with_payout_state(
            scoped(RewardAward.objects.filter(scheme=scheme), user).select_related("community", "scheme"),
            paid_for="award",
        )
    }
    streets = streets_for(user=user).filter(district_id=scheme.district_id).order_by("code")
    communities_of = defaultdict(list)  # street id → its scored communities' awards, by code
    for (street_id, community_id), award in awards.items():
        if community_id is not None:
            communities_of[street_id].append(award)
    rows = []
    for street in streets:
        award = awards.get((street.pk, None))
        rows.append(AwardRow(street, None, award, payout_label(award) if award else ""))
        for community_award in sorted(communities_of[street.pk], key=lambda a: a.community.code):
            rows.append(AwardRow(street, community_award.community, community_award, payout_label(community_award)))
    return rows


def award_totals(*, user, scheme: RewardScheme) -> dict:
    """The scheme's awards the user may see: scored, approved and paid, in 元."""
    awards = scoped(RewardAward.objects.filter(scheme=scheme), user)
    totals = awards.aggregate(
        scored=ExactSum("amount", default=0),
        approved=ExactSum("amount", filter=Q(status=RewardAward.Status.APPROVED), default=0),
    )
    paid = BatchLine.objects.filter(award__in=awards.values("pk"), status=BatchLine.Status.PAID)
    totals["paid"] = paid.aggregate(total=ExactSum("amount", default=0))["total"]
    return totals


def scoreable_communities(*, user, scheme: RewardScheme) -> QuerySet:
    """The communities a district official may score under the scheme (none if it scores streets only)."""
    if scheme.community_reward is None:
        return communities_for(user=user).none()
    return communities_for(user=user).filter(street__district_id=scheme.district_id).order_by("street__code", "code")


def awards_missing_payee(*, user) -> list[RewardAward]:
    """Approved awards not yet in a line whose street service centre has no payee record
    (the build holds them): for the 待补充收款信息 page."""
    return list(
        scoped(RewardAward.objects.filter(status=RewardAward.Status.APPROVED, amount__gt=0), user)
        .exclude(Exists(BatchLine.objects.filter(award=OuterRef("pk"))))
        .exclude(Exists(Payee.objects.filter(body=PayeeBody.STREET_CENTRE, street_id=OuterRef("street_id"))))
        .select_related("scheme", "street", "community")
        .order_by("street__code", "community__code")
    )
