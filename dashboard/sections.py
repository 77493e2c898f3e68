"""The dashboard's four sections (ledger, renovation, complaints, property
management): each fills a Dashboard with its figures, lists and charts,
reading the other apps only through their selectors."""

from datetime import date

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities import selectors as ledger_selectors
from complaints import selectors as complaint_selectors
from core.figures import format_count, format_wan
from core.units import wan
from dashboard.board import Dashboard, Figure, link, month_end, month_shift, share
from dashboard.models import MonthlySnapshot
from dashboard.services import figures_from_snapshot, previous_month
from propertymgmt import selectors as property_selectors
from renovation import selectors as renovation_selectors

GROUP_FILTER = {"district": "district", "street": "street", "community": "community"}
GROUP_LABEL = {"district": gettext_lazy("区"), "street": gettext_lazy("街道"), "community": gettext_lazy("社区")}


def _snapshot(scope, month: date) -> dict | None:
    row = (
        MonthlySnapshot.objects.filter(level=scope.level, node_id=scope.node_id or 0, month=month)
        .values_list("figures", flat=True)
        .first()
    )
    return figures_from_snapshot(row) if row else None


# --- the ledger and its management coverage


def _ledger(board: Dashboard, *, user, scope, child: str, today: date) -> None:
    groups, total = ledger_selectors.ledger_breakdown(ledger_selectors.estates_for(user=user), by=child)
    this_month = today.replace(day=1)
    months = (previous_month(today), month_shift(this_month, -12))
    board.snapshot_months = months
    last_month, last_year = (_snapshot(scope, month) for month in months)
    labels = dict(ledger_selectors.management_modes())
    _ledger_headlines(board, total, last_month, last_year)
    _coverage(board, total, last_month, last_year, labels)
    _groups(board, groups, child)
    _coverage_charts(board, labels, GROUP_FILTER[child])


def _ledger_headlines(board: Dashboard, total, last_month: dict | None, last_year: dict | None) -> None:
    """The old estates: how many, their floor area and households, against the snapshots."""

    def was(snapshot, name, convert=lambda value: value):
        return convert(snapshot[name]) if snapshot else None

    old_list = link("communities:estate_list", is_old="true")
    board.figures["old_estates"] = Figure(
        "old_estates",
        _("老旧小区"),
        total.old_estates,
        _("个"),
        old_list,
        was(last_month, "old_estates"),
        was(last_year, "old_estates"),
        note=_("台账共%(n)s个小区") % {"n": format_count(total.estates)},
    )
    board.figures["old_floor_area"] = Figure(
        "old_floor_area",
        _("老旧小区建筑面积"),
        wan(total.old_floor_area),
        _("万㎡"),
        old_list,
        was(last_month, "old_floor_area", wan),
        was(last_year, "old_floor_area", wan),
    )
    board.figures["old_households"] = Figure(
        "old_households",
        _("老旧小区户数"),
        total.old_households,
        _("户"),
        old_list,
        was(last_month, "old_households"),
        was(last_year, "old_households"),
    )


def _coverage(board: Dashboard, total, last_month: dict | None, last_year: dict | None, labels: dict) -> None:
    """The old estates by management mode, and the share with someone managing them."""
    old_list = link("communities:estate_list", is_old="true")
    for mode, (count, area) in total.modes.items():
        board.coverage.append(
            {
                "mode": mode,
                "label": str(labels[mode]),
                "estates": count,
                "area": wan(area),
                "share": share(area, total.old_floor_area),
                "estates_share": share(count, total.old_estates),
                "url": link("communities:estate_list", is_old="true", management_mode=mode),
                "last_month": last_month["modes"].get(mode, [None])[0] if last_month else None,
                "last_year": last_year["modes"].get(mode, [None])[0] if last_year else None,
            }
        )
    board.coverage_total = {
        "estates": total.old_estates,
        "area": wan(total.old_floor_area),
        "url": old_list,
    }
    unmanaged = total.modes[ledger_selectors.UNMANAGED_MODE]
    managed = total.old_estates - unmanaged[0]
    board.figures["managed_share"] = Figure(
        "managed_share",
        _("物业管理覆盖率（按面积）"),
        share(total.old_floor_area - unmanaged[1], total.old_floor_area),
        "%",
        link(
            "communities:estate_list",
            is_old="true",
            management_mode=[m for m in labels if m != ledger_selectors.UNMANAGED_MODE],
        ),
        note=_("有人管理的老旧小区%(n)s个") % {"n": format_count(managed)},
    )


def _groups(board: Dashboard, groups, child: str) -> None:
    """The ledger of each node one level down (street, community), linked to its list."""
    filter_name = GROUP_FILTER[child]
    for group in groups:
        board.groups.append(
            {
                "id": group.id,
                "name": group.name,
                "estates": group.estates,
                "old_estates": group.old_estates,
                "old_area": wan(group.old_floor_area),
                "old_households": group.old_households,
                "modes": {mode: wan(area) for mode, (_count, area) in group.modes.items()},
                "url": link("communities:estate_list", is_old="true", **{filter_name: group.id}),
            }
        )


def _coverage_charts(board: Dashboard, labels: dict, filter_name: str) -> None:
    board.charts["coverage_pie"] = {
        "title": str(_("老旧小区管理模式（按建筑面积，万㎡）")),
        "data": [
            {"name": row["label"], "value": float(row["area"]), "url": row["url"]}
            for row in board.coverage
            if row["estates"]
        ],
    }
    board.charts["coverage_by_group"] = {
        "title": str(_("各%(level)s老旧小区建筑面积（万㎡，按管理模式）") % {"level": board.group_label}),
        "categories": [g["name"] for g in board.groups],
        "urls": [g["url"] for g in board.groups],
        # A bar's list: `base` + this series' mode + this group's id (thousands of bars at national scale).
        "base": link("communities:estate_list", is_old="true") + "&management_mode=",
        "filter": filter_name,
        "ids": [g["id"] for g in board.groups],
        "series": [
            {"name": str(labels[mode]), "mode": mode, "data": [float(g["modes"][mode]) for g in board.groups]}
            for mode in labels
        ],
    }


# --- renovation


def _renovation(board: Dashboard, *, user, scope, today: date, **_context) -> None:
    stages = _stages(board, user=user)
    year = today.year
    by_year = renovation_selectors.year_outputs(user=user, years=[year, year - 1], output_years=[year])
    this_year, last_year = by_year[year], by_year[year - 1]
    board.figures["projects_this_year"] = Figure(
        "projects_this_year",
        _("%(year)s年改造项目") % {"year": year},
        this_year["projects"],
        _("个"),
        link("renovation:project_list", year=year),
        last_year=last_year["projects"],
        last_year_label=_("比上年"),
    )
    construction = renovation_selectors.CONSTRUCTION_STAGE
    board.figures["projects_started"] = Figure(
        "projects_started",
        _("在建项目"),
        stages[construction],
        _("个"),
        link("renovation:project_list", stage=construction),
    )
    # Last year's outputs at the same point of the year: its month-end snapshot.
    a_year_ago = _snapshot(scope, month_shift(today.replace(day=1), -12))
    _outputs(board, this_year["outputs"], a_year_ago.get("outputs") if a_year_ago else None, year=year)
    board.charts["stages"] = {
        "title": str(_("改造项目按阶段（个）")),
        "categories": [s["label"] for s in board.stages],
        "data": [s["count"] for s in board.stages],
        "urls": [s["url"] for s in board.stages],
    }


def _stages(board: Dashboard, *, user) -> dict[str, int]:
    """The pipeline: the user's projects by stage, each linked to its list."""
    stages = renovation_selectors.projects_by_stage(user=user)
    labels = renovation_selectors.stage_labels()
    for stage, count in stages.items():
        board.stages.append(
            {
                "stage": stage,
                "label": str(labels[stage]),
                "count": count,
                "url": link("renovation:project_list", stage=stage),
            }
        )
    return stages


def _outputs(board: Dashboard, outputs: dict, then: dict | None, *, year: int) -> None:
    """The year's outputs so far, against last year's at the same point (`then`: raw quantities)."""
    labels = renovation_selectors.output_labels()
    report = link("renovation:street_report", year=year)
    for output, value in outputs.items():
        board.outputs.append(
            {
                "output": output,
                "label": _("节能改造（万㎡）")
                if output == renovation_selectors.RETROFIT_OUTPUT
                else str(labels[output]),
                "value": value,
                "last_year": renovation_selectors.output_figure(output, then.get(output)) if then is not None else None,
                "url": report,
            }
        )


# --- complaints

NO_COMPLAINTS = {"received": 0, "resolved": 0, "on_time_rate": None, "satisfied_rate": None, "rated": 0}


def _complaints(board: Dashboard, *, user, today: date, **_context) -> None:
    month = today.replace(day=1)
    first = month_shift(month, -12)
    by_month = complaint_selectors.monthly_figures(user=user, first=first, last=month)

    def of(m):
        return by_month.get(m, NO_COMPLAINTS)

    _complaint_figures(board, month, now=of(month), before=of(month_shift(month, -1)), a_year_ago=of(first))
    for m in (month_shift(month, -offset) for offset in range(11, -1, -1)):
        row = of(m)
        board.complaint_months.append(
            {
                "month": m,
                "label": date_format(m, "YEAR_MONTH_FORMAT"),
                "received": row["received"],
                "on_time_rate": row["on_time_rate"],
                "satisfied_rate": row["satisfied_rate"],
                "url": _received_in(m),
            }
        )
    board.charts["complaints"] = {
        "title": str(_("近12个月投诉（按收到月份）")),
        "categories": [m["label"] for m in board.complaint_months],
        "received": [m["received"] for m in board.complaint_months],
        "on_time_rate": [_float(m["on_time_rate"]) for m in board.complaint_months],
        "satisfied_rate": [_float(m["satisfied_rate"]) for m in board.complaint_months],
        "urls": [m["url"] for m in board.complaint_months],
        "labels": {
            "received": str(_("收到（件）")),
            "on_time_rate": str(_("按期办结率（%）")),
            "satisfied_rate": str(_("满意率（%）")),
        },
    }


def _received_in(month: date) -> str:
    """The case list of the complaints received in `month`."""
    return link(
        "complaints:case_list",
        queue="all",
        received_after=month.isoformat(),
        received_before=month_end(month).isoformat(),
    )


def _complaint_figures(board: Dashboard, month: date, *, now: dict, before: dict, a_year_ago: dict) -> None:
    """This month's complaints received, resolved on time and rated satisfied,
    against last month and the same month last year."""
    measures = link("complaints:measures", year=month.year, month=month.month)
    board.figures["complaints_received"] = Figure(
        "complaints_received",
        _("本月收到投诉"),
        now["received"],
        _("件"),
        _received_in(month),
        before["received"],
        a_year_ago["received"],
        previous_label=_("比上月"),
    )
    board.figures["complaints_on_time"] = Figure(
        "complaints_on_time",
        _("本月按期办结率"),
        now["on_time_rate"],
        "%",
        measures,
        before["on_time_rate"],
        a_year_ago["on_time_rate"],
        previous_label=_("比上月"),
        exact=_exact_rates("on_time_rate", now, before, a_year_ago),
        note=_("已办结%(n)s件") % {"n": format_count(now["resolved"])},
    )
    board.figures["complaints_satisfied"] = Figure(
        "complaints_satisfied",
        _("本月满意率"),
        now["satisfied_rate"],
        "%",
        measures,
        before["satisfied_rate"],
        a_year_ago["satisfied_rate"],
        previous_label=_("比上月"),
        exact=_exact_rates("satisfied_rate", now, before, a_year_ago),
        note=_("评价%(n)s件") % {"n": format_count(now["rated"])},
    )


def _exact_rates(name: str, *rows: dict) -> tuple:
    """A rate of several months' measure rows, unrounded (None where a row has none)."""
    return tuple(row.get("exact_rates", {}).get(name) for row in rows)


def _float(value):
    return None if value is None else float(value)


# --- property management


def _property(board: Dashboard, *, user, scope, today: date, **_context) -> None:
    last_month = _snapshot(scope, previous_month(today))
    last_year = _snapshot(scope, month_shift(today.replace(day=1), -12))
    board.figures["committees_overdue"] = Figure(
        "committees_overdue",
        _("业主组织逾期未推进"),
        property_selectors.overdue_committee_count(user=user, today=today),
        _("个"),
        link("propertymgmt:overdue_committees"),
        last_month["committees_overdue"] if last_month else None,
        last_year["committees_overdue"] if last_year else None,
    )
    listed = property_selectors.exit_list(user=user, today=today)
    board.figures["exit_companies"] = Figure(
        "exit_companies",
        _("触发退出机制的物业企业"),
        len({row["company_id"] for row in listed}),
        _("家"),
        reverse("propertymgmt:home") + "#exit-list",
        note=_("名单共%(n)s条（按企业和街道）") % {"n": format_count(len(listed))},
    )
    board.figures["subsidies"] = _subsidies(user=user, today=today)
    board.figures["subsidies_paid"] = _subsidies_paid(user=user, today=today)


def _subsidies(*, user, today: date) -> Figure:
    """The subsidies approved in the current period, against the period before."""
    periods, previous = property_selectors.current_periods(user=user, today=today)
    totals = property_selectors.period_payment_totals(user=user, periods=periods)
    # The previous period is compared only within one district: across several,
    # districts' periods start on different days and some have none before.
    single = len(periods) == 1
    before_totals = (
        property_selectors.period_payment_totals(user=user, periods=previous) if single and previous else None
    )
    url = link("propertymgmt:subsidy_payments", periods[0].pk) if single else link("propertymgmt:subsidy_periods")
    counts = {
        "n": format_count(totals["count"]),
        "total": format_wan(totals["amount"]),
        "p": format_count(totals["proposed"]),
    }
    if not periods:
        note = _("尚未设立补贴期间")
    elif single:
        note = _("%(period)s，共%(n)s笔、%(total)s万元，待审批%(p)s笔") % {"period": periods[0].label, **counts}
    else:
        note = _("%(d)s个区的本期，共%(n)s笔、%(total)s万元，待审批%(p)s笔") % {"d": len(periods), **counts}
    return Figure(
        "subsidies",
        _("本期已审批拨付的物业补贴"),
        wan(totals["approved"]) if periods else None,
        _("万元"),
        url,
        last_month=wan(before_totals["approved"]) if before_totals else None,
        previous_label=_("比上期"),
        note=note,
    )


def _subsidies_paid(*, user, today: date) -> Figure:
    """Money to the end: paid while the current period runs, and what is approved and unpaid."""
    periods, _previous = property_selectors.current_periods(user=user, today=today)
    totals = property_selectors.disbursement_totals(user=user, periods=periods)
    note = _("已审批未支付%(total)s万元（%(n)s笔）") % {
        "total": format_wan(totals["unpaid"]),
        "n": format_count(totals["unpaid_count"]),
    }
    return Figure(
        "subsidies_paid",
        _("本期已支付的物业补贴"),
        wan(totals["paid"]) if periods else None,
        _("万元"),
        link("propertymgmt:batch_list"),
        note=note,
    )


SECTIONS = {"ledger": _ledger, "renovation": _renovation, "complaints": _complaints, "property": _property}
