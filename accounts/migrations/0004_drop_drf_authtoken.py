"""DRF's authtoken app is gone: API clients (accounts.ApiClient) replace its tokens, which gave
every holder head office's access. Its table is dropped so no old key lingers, and so nothing
references users from a table Django no longer knows (``flush`` would fail)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_apiclient")]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
