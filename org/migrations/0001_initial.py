"""The organisation tree moves here from `communities`, keeping its tables.

State only: the three tables were created by communities.0001_initial and keep
their names (`db_table`), their rows, constraints and indexes. No SQL runs.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    # The tables were created there; a later org migration that changes them runs after it.
    dependencies = [
        ('communities', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='District',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=50, unique=True, verbose_name='名称')),
                        ('code', models.CharField(max_length=6, unique=True, validators=[django.core.validators.RegexValidator('^\\d{6}$', '区县代码应为6位数字（GB/T 2260）。')], verbose_name='行政区划代码')),
                        ('code_edition', models.PositiveSmallIntegerField(default=2024, verbose_name='代码版本年份')),
                    ],
                    options={
                        'verbose_name': '区',
                        'verbose_name_plural': '区',
                        'db_table': 'communities_district',
                        'ordering': ['code'],
                    },
                ),
                migrations.CreateModel(
                    name='StreetOffice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=50, verbose_name='名称')),
                        ('code', models.CharField(max_length=9, unique=True, validators=[django.core.validators.RegexValidator('^\\d{9}$', '街道代码应为9位数字（区县6位＋街道3位）。')], verbose_name='统计用区划代码')),
                        ('district', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='streets', to='org.district', verbose_name='区')),
                    ],
                    options={
                        'verbose_name': '街道办事处',
                        'verbose_name_plural': '街道办事处',
                        'db_table': 'communities_streetoffice',
                        'ordering': ['code'],
                    },
                ),
                migrations.CreateModel(
                    name='Community',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=50, verbose_name='名称')),
                        ('code', models.CharField(max_length=12, unique=True, validators=[django.core.validators.RegexValidator('^\\d{12}$', '社区代码应为12位数字。')], verbose_name='统计用区划代码')),
                        ('street', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='communities', to='org.streetoffice', verbose_name='街道')),
                    ],
                    options={
                        'verbose_name': '社区',
                        'verbose_name_plural': '社区',
                        'db_table': 'communities_community',
                        'ordering': ['code'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='streetoffice',
                    constraint=models.UniqueConstraint(fields=('district', 'name'), name='street_name_unique_in_district'),
                ),
                migrations.AddConstraint(
                    model_name='community',
                    constraint=models.UniqueConstraint(fields=('street', 'name'), name='community_name_unique_in_street'),
                ),
            ],
            database_operations=[],
        ),
    ]
