from django.db import migrations


def seed(apps, schema_editor):
    from papers.models import normalise_alias
    from papers.venue_seed import VENUES

    Venue = apps.get_model("papers", "Venue")
    VenueAlias = apps.get_model("papers", "VenueAlias")
    for short_name, name, slug, kind, url, aliases in VENUES:
        venue, _ = Venue.objects.get_or_create(
            slug=slug,
            defaults={"short_name": short_name, "name": name, "kind": kind, "url": url},
        )
        for alias in aliases:
            VenueAlias.objects.get_or_create(alias=normalise_alias(alias), defaults={"venue": venue})


class Migration(migrations.Migration):
    dependencies = [("papers", "0002_imports_and_venue_aliases")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
