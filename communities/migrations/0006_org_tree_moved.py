"""The organisation tree now lives in `org`: this app's foreign keys point at
org's models and communities forgets its own copies. State only: the tables
(communities_district, …) and their FK constraints stay as they are.

Runs after every other app has pointed its foreign keys at `org` (so no state
refers to the models deleted here). Last, the content types of the three models
are renamed to app_label "org", so permissions and admin history follow them.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("district", "streetoffice", "community")


def _relabel(apps, schema_editor, old, new):
    """Give the three models' content types (and so their permissions and admin
    log entries) the new app label. A row that is missing (a fresh database:
    content types are created after migrate) or whose target already exists is
    left alone."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    rows = ContentType.objects.using(schema_editor.connection.alias)
    for model in MOVED:
        if not rows.filter(app_label=new, model=model).exists():
            rows.filter(app_label=old, model=model).update(app_label=new)


def content_types_to_org(apps, schema_editor):
    _relabel(apps, schema_editor, "communities", "org")


def content_types_to_communities(apps, schema_editor):
    _relabel(apps, schema_editor, "org", "communities")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_org_tree_moved'),
        ('communities', '0005_household_register'),
        ('complaints', '0007_org_tree_moved'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('org', '0001_initial'),
        ('propertymgmt', '0007_org_tree_moved'),
        ('renovation', '0004_org_tree_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='historicalestate',
                    name='community',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='org.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='estate',
                    name='community',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='estates', to='org.community', verbose_name='社区'),
                ),
                migrations.RemoveField(
                    model_name='streetoffice',
                    name='district',
                ),
                migrations.AlterField(
                    model_name='historicalpropertyrightsunit',
                    name='district',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='org.district', verbose_name='区'),
                ),
                migrations.AlterField(
                    model_name='propertyrightsunit',
                    name='district',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rights_units', to='org.district', verbose_name='区'),
                ),
                migrations.AlterField(
                    model_name='propertyrightsunit',
                    name='street',
                    field=models.ForeignKey(blank=True, help_text='由哪个街道登记；区级登记的留空。', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='registered_rights_units', to='org.streetoffice', verbose_name='登记街道'),
                ),
                migrations.AlterField(
                    model_name='historicalpropertyrightsunit',
                    name='street',
                    field=models.ForeignKey(blank=True, db_constraint=False, help_text='由哪个街道登记；区级登记的留空。', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='org.streetoffice', verbose_name='登记街道'),
                ),
                migrations.DeleteModel(
                    name='Community',
                ),
                migrations.DeleteModel(
                    name='District',
                ),
                migrations.DeleteModel(
                    name='StreetOffice',
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_org, content_types_to_communities),
    ]
