from django.db import migrations

# The continuum's starting stages (staff may refine them in the admin) and
# the eleven counties of the Atlanta Regional Commission.
STAGES = [
    ("education-training", "Education & training", "Educación y formación"),
    (
        "workforce-readiness",
        "Soft skills & workforce readiness",
        "Habilidades interpersonales y preparación laboral",
    ),
    ("job-access", "Job access & placement", "Acceso al empleo y colocación"),
    ("retention-advancement", "Retention & advancement", "Retención y ascenso"),
    (
        "entrepreneurship",
        "Entrepreneurship & wealth building",
        "Emprendimiento y creación de patrimonio",
    ),
    ("community-investment", "Place-based community investment", "Inversión comunitaria local"),
]
COUNTIES = [
    "Cherokee",
    "Clayton",
    "Cobb",
    "DeKalb",
    "Douglas",
    "Fayette",
    "Forsyth",
    "Fulton",
    "Gwinnett",
    "Henry",
    "Rockdale",
]


def seed(apps, schema_editor):
    Stage = apps.get_model("circle", "Stage")
    County = apps.get_model("circle", "County")
    for order, (key, name, name_es) in enumerate(STAGES, start=1):
        Stage.objects.update_or_create(
            key=key, defaults={"name": name, "name_es": name_es, "order": order}
        )
    for name in COUNTIES:
        County.objects.update_or_create(key=name.lower(), defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("circle", "0003_organizations")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
