from django.urls import path

from forums import views, views_calendar, views_checkin, views_registration

app_name = "forums"

urlpatterns = [
    path("forums/", views.forum_list, name="list"),
    path("forums/past/", views.past_list, name="past"),
    path("forums/mine/", views_registration.mine, name="mine"),
    path("forums/calendar.ics", views_calendar.public_feed, name="feed"),
    path("forums/calendar/new-address/", views_registration.reset_calendar, name="reset_calendar"),
    path("forums/calendar/<str:token>.ics", views_calendar.personal_feed, name="personal_feed"),
    path("forums/check-your-email/", views_registration.check_email, name="check_email"),
    path("forums/registrations/<str:token>/", views_registration.manage, name="registration"),
    path("forums/<slug:slug>/", views.detail, name="detail"),
    path("forums/<slug:slug>/rsvp/", views_registration.rsvp, name="rsvp"),
    path("forums/<slug:slug>/register/", views_registration.register, name="register"),
    path("forums/<slug:slug>/calendar.ics", views_calendar.forum_ics, name="forum_ics"),
    path("forums/<slug:slug>/materials/<int:pk>/", views.material, name="material"),
    path("forums/<slug:slug>/check-in/", views_checkin.checkin_page, name="checkin"),
    path("forums/<slug:slug>/check-in/walk-in/", views_checkin.walk_in, name="walk_in"),
    path("forums/<slug:slug>/check-in/<int:pk>/", views_checkin.mark, name="checkin_mark"),
]
