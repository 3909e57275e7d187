from django.urls import path

from volunteering import views

app_name = "volunteer"

urlpatterns = [
    path("", views.opportunity_list, name="list"),
    path("check-your-email/", views.check_email, name="check_email"),
    path("sign-ups/<str:token>/", views.signup, name="signup"),
    path("sign-ups/<str:token>/calendar.ics", views.signup_ics, name="signup_ics"),
    path("<slug:slug>/", views.opportunity, name="opportunity"),
    path("<slug:slug>/shifts/<int:shift_id>/sign-up/", views.sign_up, name="sign_up"),
]
