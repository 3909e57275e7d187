from django.urls import URLPattern, path  # noqa: F401

app_name = "forums"

urlpatterns: list[URLPattern] = []
