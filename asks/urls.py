from django.urls import path

from asks import views

app_name = "asks"

urlpatterns = [
    # Members
    path("asks/", views.board_page, name="board"),
    path("asks/new/", views.post_create, name="post_create"),
    path("asks/outcomes/", views.outcomes_page, name="outcomes"),
    path("asks/<int:pk>/", views.post_detail, name="post"),
    path("asks/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("asks/<int:pk>/close/", views.post_close, name="post_close"),
    path("asks/<int:pk>/reopen/", views.post_reopen, name="post_reopen"),
    path("asks/<int:pk>/matches/", views.post_matches, name="post_matches"),
    path("asks/<int:pk>/matches/<int:other>/", views.mark_match, name="mark_match"),
    path("asks/<int:pk>/respond/", views.respond, name="post_respond"),
    path(
        "asks/<int:pk>/conversations/<int:conversation_pk>/",
        views.conversation,
        name="conversation",
    ),
    # An organization's admins
    path("orgs/<slug:slug>/manage/asks/", views.manage_posts, name="manage_posts"),
]
