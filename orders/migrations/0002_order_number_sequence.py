from django.db import migrations


class Migration(migrations.Migration):
    """Order numbers come from a sequence: unique, gap-tolerant, no lock on a counter row."""

    dependencies = [("orders", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE orders_order_number START 100001",
            "DROP SEQUENCE orders_order_number",
        ),
    ]
