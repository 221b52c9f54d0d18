"""Fulfilment orders, their lines, parcels and line failures now belong to orders (same
tables: only Django's state moves, see orders 0007). A decision knows its order by number;
each location's daily load also counts the work it failed (its reliability)."""

from django.db import migrations, models

FAILURES_SQL = """
INSERT INTO sourcing_locationdayload (location_id, day, fulfilment_orders, failures)
SELECT location_id, (created_at AT TIME ZONE 'Europe/Paris')::date, 0, count(DISTINCT fulfilment_order_id)
  FROM sourcing_linefailure
 GROUP BY 1, 2
ON CONFLICT (location_id, day) DO UPDATE SET failures = EXCLUDED.failures
"""


class Migration(migrations.Migration):

    dependencies = [
        ("sourcing", "0002_store_fulfilment"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='fulfilmentorder',
                    name='destination',
                ),
                migrations.RemoveField(
                    model_name='fulfilmentorder',
                    name='location',
                ),
                migrations.RemoveField(
                    model_name='fulfilmentorder',
                    name='order',
                ),
                migrations.RemoveField(
                    model_name='fulfilmentorder',
                    name='sourcing_run',
                ),
                migrations.RemoveField(
                    model_name='fulfilmentorder',
                    name='transfer',
                ),
                migrations.RemoveField(
                    model_name='fulfilmentorderline',
                    name='fulfilment_order',
                ),
                migrations.RemoveField(
                    model_name='linefailure',
                    name='fulfilment_order',
                ),
                migrations.RemoveField(
                    model_name='fulfilmentorderline',
                    name='allocation',
                ),
                migrations.RemoveField(
                    model_name='fulfilmentorderline',
                    name='order_line',
                ),
                migrations.RemoveField(
                    model_name='linefailure',
                    name='location',
                ),
                migrations.RemoveField(
                    model_name='linefailure',
                    name='order_line',
                ),
                migrations.DeleteModel(
                    name='Parcel',
                ),
                migrations.DeleteModel(
                    name='FulfilmentOrder',
                ),
                migrations.DeleteModel(
                    name='FulfilmentOrderLine',
                ),
                migrations.DeleteModel(
                    name='LineFailure',
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelOptions(
            name="sourcingrun",
            options={"ordering": ["created_at", "pk"], "verbose_name": "sourcing decision", "verbose_name_plural": "sourcing decisions"},
        ),
        migrations.AddField(
            model_name="sourcingrun",
            name="reference",
            field=models.CharField(db_index=True, default="", max_length=30, verbose_name="reference"),
            preserve_default=False,
        ),
        migrations.RunSQL(
            "UPDATE sourcing_sourcingrun r SET reference = o.number FROM orders_order o WHERE o.id = r.order_id",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RemoveField(model_name="sourcingrun", name="order"),
        migrations.AddField(
            model_name="locationdayload",
            name="failures",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunSQL(FAILURES_SQL, reverse_sql=migrations.RunSQL.noop),
    ]
