"""The six guiding principles of the JUST Opportunity Circle, as the topics
of the research library."""

from django.db import migrations

# key, name, name in Spanish, principle, principle in Spanish
TOPICS = [
    ("family-well-being", "Financial well-being of families", "Bienestar financiero de las familias",
     "Economic inclusion accounts for the financial well-being of families throughout the region.",
     "La inclusión económica toma en cuenta el bienestar financiero de las familias en toda la "
     "región."),
    ("untapped-assets", "Untapped economic assets", "Activos económicos sin aprovechar",
     "Low-income communities and communities of color are untapped economic assets.",
     "Las comunidades de bajos ingresos y las comunidades de color son activos económicos sin "
     "aprovechar."),
    ("equitable-education", "Equitable education with support", "Educación equitativa con apoyo",
     "Access to equitable educational opportunities with support systems are key to successful "
     "economic development efforts.",
     "El acceso a oportunidades educativas equitativas, con sistemas de apoyo, es clave para el "
     "éxito del desarrollo económico."),
    ("workforce-skills", "Workforce and soft skills", "Fuerza laboral y habilidades interpersonales",
     "Increased workforce and soft-skills development for vulnerable communities foster "
     "engagement for a stronger economy.",
     "Más desarrollo de la fuerza laboral y de habilidades interpersonales en las comunidades "
     "vulnerables fomenta la participación para una economía más fuerte."),
    ("community-voice", "Communities informing markets", "Comunidades que orientan los mercados",
     "The human assets found in under-resourced communities must be positioned to inform and "
     "benefit from positive market outcomes.",
     "El talento humano de las comunidades con pocos recursos debe estar en posición de orientar "
     "los resultados positivos del mercado y de beneficiarse de ellos."),
    ("place-based", "Place-based economic inclusion", "Inclusión económica basada en el lugar",
     "Place-based approaches for economic inclusion will revitalize under-developed areas and "
     "invigorate metropolitan economies.",
     "Los enfoques de inclusión económica basados en el lugar revitalizarán las zonas menos "
     "desarrolladas y darán vigor a las economías metropolitanas."),
]  # fmt: skip


def add_topics(apps, schema_editor):
    Topic = apps.get_model("research", "Topic")
    for order, (key, name, name_es, principle, principle_es) in enumerate(TOPICS, start=1):
        Topic.objects.update_or_create(
            key=key,
            defaults={
                "name": name,
                "name_es": name_es,
                "principle": principle,
                "principle_es": principle_es,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("research", "0001_initial")]

    operations = [migrations.RunPython(add_topics, migrations.RunPython.noop)]
