"""Demo month-end snapshots, so the demo dashboard shows trends on day one.

The demo ledger is created all at once, so its past is made up here: the
snapshots of the last thirteen months are taken from today's ledger, and the
further back a month is, the more of its market-managed estates are shown as
still unmanaged (the way coverage grows as the district works). Real
installations get their snapshots from the beat task only."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from dashboard.models import MonthlySnapshot
from dashboard.services import take_snapshots


def _month_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def seed(*, district, rng) -> str | None:
    today = timezone.localdate()
    if MonthlySnapshot.objects.exists():
        return None
    for back in range(1, 14):
        month = _month_back(today, back)
        take_snapshots(month=month, today=today)
        if back == 1:
            continue
        changed = []
        for snapshot in MonthlySnapshot.objects.filter(month=month):
            figures = snapshot.figures
            modes = figures["modes"]
            count, area = modes["market"][0], Decimal(modes["market"][1])
            moved = min(count, round(count * back * 0.03))
            if moved:
                moved_area = (area * moved / count).quantize(Decimal("0.01"))
                modes["market"] = [count - moved, str(area - moved_area)]
                modes["none"] = [modes["none"][0] + moved, str(Decimal(modes["none"][1]) + moved_area)]
            figures["committees_overdue"] = figures["committees_overdue"] + back // 3
            changed.append(snapshot)
        MonthlySnapshot.objects.bulk_update(changed, ["figures"])
    return "已生成演示月末快照：近13个月的工作台趋势。"
