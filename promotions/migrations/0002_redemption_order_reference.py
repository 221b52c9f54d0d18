"""Redemptions know their order by its number: promotions import nothing from orders."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("promotions", "0001_initial"),
        ("orders", "0006_order_placed_via_orderevent_api_client"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="redemption", name="redemption_once_per_order"),
        migrations.AddField(
            model_name="redemption",
            name="order_reference",
            field=models.CharField(db_index=True, default="", max_length=30, verbose_name="order"),
            preserve_default=False,
        ),
        migrations.RunSQL(
            "UPDATE promotions_redemption r SET order_reference = o.number "
            "FROM orders_order o WHERE o.id = r.order_id",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RemoveField(model_name="redemption", name="order"),
        migrations.AddConstraint(
            model_name="redemption",
            constraint=models.UniqueConstraint(
                fields=("promotion", "order_reference"), name="redemption_once_per_order"
            ),
        ),
    ]
