"""Property-rights units (产权单位) and the holdings (产权构成) that tie them to estates."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.scoping import Action, get_scoped_object_or_404, user_scope
from communities.fields import HOLDING_EDITABLE_FIELDS, RIGHTS_UNIT_EDITABLE_FIELDS
from communities.models import PropertyRightsUnit, RightsHolding
from communities.services._common import _apply_edit, _child_estate, _delete_tracked, _save


@transaction.atomic
def create_rights_unit(*, user, data: dict) -> PropertyRightsUnit:
    if not user_scope(user).allows(Action.CREATE, PropertyRightsUnit):
        raise ValidationError(_("您没有新增产权单位的权限。"))
    unit = PropertyRightsUnit(**{k: v for k, v in data.items() if k in RIGHTS_UNIT_EDITABLE_FIELDS})
    if user.street_id:
        unit.street_id = user.street_id
        unit.district_id = user.street.district_id
    elif user.community_id:
        unit.street_id = user.community.street_id
        unit.district_id = user.community.street.district_id
    elif user.district_id:
        unit.district_id = user.district_id
    elif data.get("district") is not None:
        unit.district = data["district"]
    else:
        raise ValidationError({"district": _("请选择所属区。")})
    unit.credit_code = (unit.credit_code or "").strip().upper()
    return _save(unit, user=user, reason=_("新增"))


@transaction.atomic
def update_rights_unit(*, user, unit_id: int, data: dict, expected_version: int) -> PropertyRightsUnit:
    unit, _before = _apply_edit(
        PropertyRightsUnit.objects,
        user=user,
        pk=unit_id,
        data=data,
        expected_version=expected_version,
        fields=RIGHTS_UNIT_EDITABLE_FIELDS,
    )
    unit.credit_code = (unit.credit_code or "").strip().upper()
    if unit.successor_id == unit.pk:
        raise ValidationError({"successor": _("承继单位不能是本单位。")})
    return _save(unit, user=user)


def _check_holding(holding, user):
    if holding.building is not None and holding.building.estate_id != holding.estate_id:
        raise ValidationError({"building": _("所选楼栋不属于该小区。")})
    unit = holding.rights_unit
    if unit is not None and unit.district_id != holding.estate.community.street.district_id:
        raise ValidationError({"rights_unit": _("产权单位须是本区登记的单位。")})


@transaction.atomic
def save_holding(*, user, estate_id: int, data: dict, holding_id: int | None = None) -> RightsHolding:
    estate = _child_estate(user, estate_id)
    if holding_id is None:
        holding = RightsHolding(estate=estate)
    else:
        holding = RightsHolding.objects.select_for_update().filter(estate=estate, pk=holding_id).first()
        if holding is None:
            raise ValidationError(_("没有找到该产权构成记录。"))
    for name in HOLDING_EDITABLE_FIELDS:
        if name in data:
            setattr(holding, name, data[name])
    _check_holding(holding, user)
    return _save(holding, user=user, reason=_("新增") if holding_id is None else "")


@transaction.atomic
def delete_holding(*, user, holding_id: int) -> None:
    holding = get_scoped_object_or_404(RightsHolding.objects, user, Action.CHANGE, pk=holding_id)
    _delete_tracked(holding, user=user, reason=_("删除产权构成"))
