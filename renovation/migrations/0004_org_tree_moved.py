"""The organisation tree moved to `org`: this app's foreign keys to District,
StreetOffice and Community now name `org`'s models. State only: the columns
and their FK constraints already point at the same tables, so no SQL runs.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0001_initial'),
        ('renovation', '0003_list_order_index'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='fiveyearplan',
                    name='district',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='renovation_plans', to='org.district', verbose_name='区'),
                ),
                migrations.AlterField(
                    model_name='historicalproject',
                    name='street',
                    field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='org.streetoffice', verbose_name='责任街道'),
                ),
                migrations.AlterField(
                    model_name='project',
                    name='street',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='renovation_projects', to='org.streetoffice', verbose_name='责任街道'),
                ),
                migrations.AlterField(
                    model_name='schedulereminder',
                    name='street',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.streetoffice', verbose_name='责任街道'),
                ),
            ],
            database_operations=[],
        ),
    ]
