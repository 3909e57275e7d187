"""The project's URLs plus the page benchmark's ceiling view (bench/ceiling.py),
for the portal the benchmark serves only."""

from django.urls import path

from bench.ceiling import CEILING_PREFIX, ceiling
from justop import urls as project

urlpatterns = [
    path(f"{CEILING_PREFIX}/<int:size>/", ceiling, name="bench_ceiling"),
    *project.urlpatterns,
]

# The project's error views, if it names any.
for _handler in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(project, _handler):
        globals()[_handler] = getattr(project, _handler)
