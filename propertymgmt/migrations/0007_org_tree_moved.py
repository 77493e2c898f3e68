"""The organisation tree moved to `org`: this app's foreign keys to District,
StreetOffice and Community now name `org`'s models. State only: the columns
and their FK constraints already point at the same tables, so no SQL runs.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0001_initial'),
        ('propertymgmt', '0006_contract_end_vote'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='exitorder',
                    name='street',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.streetoffice'),
                ),
                migrations.AlterField(
                    model_name='historicalpropertycompany',
                    name='district',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='org.district', verbose_name='区'),
                ),
                migrations.AlterField(
                    model_name='historicalsubsidyrate',
                    name='district',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='org.district'),
                ),
                migrations.AlterField(
                    model_name='notice',
                    name='street',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.streetoffice'),
                ),
                migrations.AlterField(
                    model_name='propertycompany',
                    name='district',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='property_companies', to='org.district', verbose_name='区'),
                ),
                migrations.AlterField(
                    model_name='subsidypayment',
                    name='street',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.streetoffice'),
                ),
                migrations.AlterField(
                    model_name='subsidyperiod',
                    name='district',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.district'),
                ),
                migrations.AlterField(
                    model_name='subsidyrate',
                    name='district',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='org.district'),
                ),
            ],
            database_operations=[],
        ),
    ]
