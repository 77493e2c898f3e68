"""Each estate's pinyin initials ("gmbl" for 光明北里), for the ledger search;
the existing rows filled in batches (a national ledger holds 220,000 estates)."""

from django.db import migrations, models

from core.pinyin import initials

BATCH = 2000


def fill(apps, schema_editor):
    Estate = apps.get_model("communities", "Estate")
    batch = []
    for estate in Estate.objects.only("pk", "name").order_by("pk").iterator(chunk_size=BATCH):
        estate.name_initials = initials(estate.name)
        batch.append(estate)
        if len(batch) == BATCH:
            Estate.objects.bulk_update(batch, ["name_initials"])
            batch = []
    if batch:
        Estate.objects.bulk_update(batch, ["name_initials"])


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0007_fund_holder_bank"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="estate",
            name="name_initials",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=100, verbose_name="名称拼音首字母"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="estate",
            index=models.Index(fields=["name_initials"], name="estate_initials_idx", opclasses=["varchar_pattern_ops"]),
        ),
    ]
