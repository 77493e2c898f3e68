from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communities.models import District
from core.validators import validate_contact_phone, validate_credit_code


class CompanyStatus(models.TextChoices):
    ACTIVE = "active", _("在管")
    ORDERED_OUT = "ordered_out", _("已责令退出")
    WITHDRAWN = "withdrawn", _("已撤出")


class PropertyCompany(models.Model):
    """物业服务企业: a property service company registered in the district.

    Companies work across streets, so a company is registered once per district;
    what a street sees of it are its contracts, assessments and complaints there.
    """

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="property_companies", verbose_name=_("区")
    )
    name = models.CharField(_("企业名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, validators=[validate_credit_code])
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_contact_phone])
    address = models.CharField(_("地址"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=CompanyStatus.choices, default=CompanyStatus.ACTIVE)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    scope_paths = {"district": "district"}

    class Meta:
        verbose_name = _("物业服务企业")
        verbose_name_plural = _("物业服务企业")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], name="property_company_credit_code_unique"),
            models.UniqueConstraint(fields=["district", "name"], name="property_company_name_unique_in_district"),
            models.CheckConstraint(condition=~Q(credit_code=""), name="property_company_credit_code_required"),
        ]

    def __str__(self):
        return self.name
