"""The rules the property app applies, as data officials can adjust.

- Owners' vote thresholds of Civil Code art. 278: quorum 2/3 of area and of
  owners; 3/4 of participants (area and heads) for raising the fund, rebuilding
  or altering buildings (works, added elevators) and changing the use of common
  parts; more than half for everything else.
- Shanghai's assessment scheme (fee collection 40, inspections 40, safety 20),
  with the share of the subsidy balance a score earns (80+ full, 70–79 80%).
- The subsidy rates proposed in §7 (1.20 元/㎡·年 company- or unit-managed,
  1.80 self-managed or street-held), as defaults every district inherits.
- Closed votes cannot change: triggers refuse writes to a closed vote's ballots
  and to the closed vote itself (PostgreSQL; the service refuses them everywhere).
"""

from decimal import Decimal

from django.db import migrations

from core.db import PostgresOnlySQL

THREE_QUARTERS = {"fund_raise", "building_works", "elevator", "change_of_use"}
SUBJECTS = [
    "rules_of_procedure",
    "management_rules",
    "elect_committee",
    "hire_company",
    "fund_use",
    "fund_raise",
    "building_works",
    "elevator",
    "change_of_use",
    "other",
]


def seed(apps, schema_editor):
    VoteThreshold = apps.get_model("propertymgmt", "VoteThreshold")
    for subject in SUBJECTS:
        strict = subject in THREE_QUARTERS
        VoteThreshold.objects.get_or_create(
            subject=subject,
            defaults={
                "quorum_numerator": 2,
                "quorum_denominator": 3,
                "pass_numerator": 3 if strict else 1,
                "pass_denominator": 4 if strict else 2,
                "pass_inclusive": strict,
            },
        )
    ScoringScheme = apps.get_model("propertymgmt", "ScoringScheme")
    ScoringScheme.objects.get_or_create(
        name="上海市以奖代补考核办法",
        defaults={
            "items": [
                {"code": "fee", "name": "物业费收缴", "points": 40},
                {"code": "inspection", "name": "日常检查", "points": 40},
                {"code": "safety", "name": "安全管理", "points": 20},
            ],
            "complaint_deduction": Decimal("2.00"),
            "is_default": True,
        },
    )
    ScoreFactor = apps.get_model("propertymgmt", "ScoreFactor")
    for minimum, factor in (
        (Decimal("80"), Decimal("1")),
        (Decimal("70"), Decimal("0.8")),
        (Decimal("0"), Decimal("0")),
    ):
        ScoreFactor.objects.get_or_create(min_score=minimum, defaults={"factor": factor})
    SubsidyRate = apps.get_model("propertymgmt", "SubsidyRate")
    for mode, rate in (("market", "1.20"), ("unit", "1.20"), ("owners", "1.80"), ("street_centre", "1.80")):
        SubsidyRate.objects.get_or_create(district=None, management_mode=mode, defaults={"rate": Decimal(rate)})


TRIGGERS = """
CREATE OR REPLACE FUNCTION propertymgmt_refuse_closed_vote_change() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'propertymgmt_ownersvote' THEN
        IF OLD.status = 'closed' THEN
            RAISE EXCEPTION 'closed vote % cannot change', OLD.id USING ERRCODE = 'check_violation';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF EXISTS (SELECT 1 FROM propertymgmt_ownersvote v
               WHERE v.id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.vote_id ELSE NEW.vote_id END)
                 AND v.status = 'closed') THEN
        RAISE EXCEPTION 'closed vote cannot change' USING ERRCODE = 'check_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER ownersvote_closed_immutable BEFORE UPDATE OR DELETE ON propertymgmt_ownersvote
    FOR EACH ROW EXECUTE FUNCTION propertymgmt_refuse_closed_vote_change();
CREATE TRIGGER ballot_closed_immutable BEFORE INSERT OR UPDATE OR DELETE ON propertymgmt_ballot
    FOR EACH ROW EXECUTE FUNCTION propertymgmt_refuse_closed_vote_change();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS ballot_closed_immutable ON propertymgmt_ballot;
DROP TRIGGER IF EXISTS ownersvote_closed_immutable ON propertymgmt_ownersvote;
DROP FUNCTION IF EXISTS propertymgmt_refuse_closed_vote_change();
"""


class Migration(migrations.Migration):
    dependencies = [("propertymgmt", "0002_contracts_votes_committees_subsidies")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        PostgresOnlySQL(TRIGGERS, DROP_TRIGGERS),
    ]
