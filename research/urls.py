from django.urls import path

from research import views, views_manage

app_name = "research"

urlpatterns = [
    path("research/", views.library_home, name="library"),
    path("research/search/", views.search, name="search"),
    path("research/topics/<slug:slug>/", views.topic, name="topic"),
    path("research/<slug:slug>/", views.resource_detail, name="resource"),
    path("research/<slug:slug>/download/", views.download, name="download"),
    path("research/<slug:slug>/cover/", views.cover, name="cover"),
    path("orgs/<slug:slug>/manage/research/", views_manage.manage_list, name="manage_list"),
    path("orgs/<slug:slug>/manage/research/new/", views_manage.manage_edit, name="manage_add"),
    path(
        "orgs/<slug:slug>/manage/research/<int:pk>/",
        views_manage.manage_edit,
        name="manage_edit",
    ),
]
