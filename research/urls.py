from django.urls import path

from research.views import library, manage

app_name = "research"

urlpatterns = [
    path("research/", library.library_home, name="library"),
    path("research/search/", library.search, name="search"),
    path("research/topics/<slug:slug>/", library.topic, name="topic"),
    path("research/<slug:slug>/", library.resource_detail, name="resource"),
    path("research/<slug:slug>/download/", library.download, name="download"),
    path("research/<slug:slug>/cover/", library.cover, name="cover"),
    path("orgs/<slug:slug>/manage/research/", manage.manage_list, name="manage_list"),
    path("orgs/<slug:slug>/manage/research/new/", manage.manage_edit, name="manage_add"),
    path(
        "orgs/<slug:slug>/manage/research/<int:pk>/",
        manage.manage_edit,
        name="manage_edit",
    ),
]
