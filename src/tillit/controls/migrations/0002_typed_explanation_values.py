"""Hits stored before explanation values kept their types (analytics.explain.to_json) get them now.

Before, every Decimal and date was stored as a string and the web side guessed amounts from the
parameter's name. This converts those rows once, with the same guess, so they read as before;
hits stored from now on carry their types and nothing is guessed.
"""

import re

from django.db import migrations

AMOUNT_HINTS = ("amount", "sum", "total", "belopp", "fee", "limit", "value", "debt")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?$")


def _typed(name, value):
    if isinstance(value, dict) or isinstance(value, bool) or value is None:
        return value
    is_amount = any(h in name for h in AMOUNT_HINTS)
    if isinstance(value, int) and is_amount:
        return {"$decimal": str(value)}
    if isinstance(value, str):
        if is_amount and NUMBER.match(value):
            return {"$decimal": value}
        if DATE.match(value):
            return {"$date": value}
        if DATETIME.match(value):
            return {"$datetime": value.replace(" ", "T").replace("Z", "+00:00")}
    return value


def forwards(apps, schema_editor):
    Hit = apps.get_model("controls", "Hit")
    for hit in Hit.objects.exclude(explanation_params={}).iterator():
        typed = {k: _typed(k, v) for k, v in (hit.explanation_params or {}).items()}
        if typed != hit.explanation_params:
            Hit.objects.filter(pk=hit.pk).update(explanation_params=typed)


class Migration(migrations.Migration):
    dependencies = [("controls", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
