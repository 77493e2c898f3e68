"""Buildings of an estate: changing them is changing the estate."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.scoping import Action, get_scoped_object_or_404
from communities.fields import BUILDING_EDITABLE_FIELDS
from communities.models import Building
from communities.services._common import _apply_edit, _child_estate, _delete_tracked, _save


@transaction.atomic
def create_building(*, user, estate_id: int, data: dict) -> Building:
    estate = _child_estate(user, estate_id)
    building = Building(estate=estate, **{k: v for k, v in data.items() if k in BUILDING_EDITABLE_FIELDS})
    return _save(building, user=user, reason=_("新增"))


@transaction.atomic
def update_building(*, user, building_id: int, data: dict, expected_version: int) -> Building:
    building, _before = _apply_edit(
        Building.objects,
        user=user,
        pk=building_id,
        data=data,
        expected_version=expected_version,
        fields=BUILDING_EDITABLE_FIELDS,
    )
    return _save(building, user=user)


@transaction.atomic
def delete_building(*, user, building_id: int) -> None:
    building = get_scoped_object_or_404(Building.objects, user, Action.CHANGE, pk=building_id)
    for holding in building.holdings.all():
        _delete_tracked(holding, user=user, reason=_("随楼栋删除"))
    _delete_tracked(building, user=user, reason=_("删除楼栋"))
