"""The organisation tree moved to `org`: this app's foreign keys to District,
StreetOffice and Community now name `org`'s models. State only: the columns
and their FK constraints already point at the same tables, so no SQL runs.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0006_tracking_codes'),
        ('org', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='complaint',
                    name='assigned_community',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='complaints_assigned', to='org.community', verbose_name='承办社区'),
                ),
                migrations.AlterField(
                    model_name='complaint',
                    name='community',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='org.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='complaint',
                    name='district',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='org.district', verbose_name='区'),
                ),
                migrations.AlterField(
                    model_name='complaint',
                    name='street',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='org.streetoffice', verbose_name='街道'),
                ),
                migrations.AlterField(
                    model_name='monthlystat',
                    name='district',
                    field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='org.district'),
                ),
                migrations.AlterField(
                    model_name='monthlystat',
                    name='street',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='org.streetoffice'),
                ),
            ],
            database_operations=[],
        ),
    ]
