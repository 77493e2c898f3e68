"""The organisation tree moved to `org`: this app's foreign keys to District,
StreetOffice and Community now name `org`'s models. State only: the columns
and their FK constraints already point at the same tables, so no SQL runs.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_initial'),
        ('org', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='user',
                    name='community',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='users', to='org.community', verbose_name='所属社区'),
                ),
                migrations.AlterField(
                    model_name='user',
                    name='district',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='users', to='org.district', verbose_name='所属区'),
                ),
                migrations.AlterField(
                    model_name='user',
                    name='street',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='users', to='org.streetoffice', verbose_name='所属街道'),
                ),
            ],
            database_operations=[],
        ),
    ]
