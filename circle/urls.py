from django.urls import path

from circle import preferences

# Included at the site root: names are global ("email_preferences").
urlpatterns = [
    path("accounts/preferences/", preferences.email_preferences, name="email_preferences"),
]
