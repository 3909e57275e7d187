from django.urls import path

from forums.views import calendar, checkin, forum, registration

app_name = "forums"

urlpatterns = [
    path("forums/", forum.forum_list, name="list"),
    path("forums/past/", forum.past_list, name="past"),
    path("forums/mine/", registration.mine, name="mine"),
    path("forums/calendar.ics", calendar.public_feed, name="feed"),
    path("forums/calendar/new-address/", registration.reset_calendar, name="reset_calendar"),
    path("forums/calendar/<str:token>.ics", calendar.personal_feed, name="personal_feed"),
    path("forums/check-your-email/", registration.check_email, name="check_email"),
    path("forums/registrations/<str:token>/", registration.manage, name="registration"),
    path(
        "forums/registrations/<str:token>/calendar.ics",
        registration.manage_ics,
        name="registration_ics",
    ),
    path("forums/<slug:slug>/", forum.detail, name="detail"),
    path("forums/<slug:slug>/rsvp/", registration.rsvp, name="rsvp"),
    path("forums/<slug:slug>/register/", registration.register, name="register"),
    path("forums/<slug:slug>/invitation/<str:token>/", registration.invitation, name="invitation"),
    path("forums/<slug:slug>/calendar.ics", calendar.forum_ics, name="forum_ics"),
    path("forums/<slug:slug>/materials/<int:pk>/", forum.material, name="material"),
    path("forums/<slug:slug>/check-in/", checkin.checkin_page, name="checkin"),
    path("forums/<slug:slug>/check-in/walk-in/", checkin.walk_in, name="walk_in"),
    path("forums/<slug:slug>/check-in/<int:pk>/", checkin.mark, name="checkin_mark"),
]
