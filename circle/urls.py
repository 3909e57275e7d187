from django.urls import path

from circle.views import (
    account,
    applications,
    continuum,
    directory,
    invitations,
    member_home,
    organizations,
    preferences,
)

app_name = "circle"

urlpatterns = [
    # Public
    path("join/", applications.apply, name="join"),
    path("join/thanks/", applications.thanks, name="join_thanks"),
    path("orgs/<slug:slug>/", organizations.profile, name="organization"),
    path("invitations/<str:token>/", invitations.accept, name="accept_invitation"),
    # Anyone signed in: where signing in lands
    path("home/", member_home.member_home, name="member_home"),
    # Members
    path("directory/", directory.directory, name="directory"),
    path("continuum/", continuum.continuum, name="continuum"),
    # An organization's admins
    path("orgs/<slug:slug>/manage/", organizations.manage_profile, name="manage_profile"),
    path("orgs/<slug:slug>/manage/members/", organizations.manage_members, name="manage_members"),
    path(
        "orgs/<slug:slug>/manage/members/<int:pk>/",
        organizations.manage_member,
        name="manage_member",
    ),
    path(
        "orgs/<slug:slug>/manage/invitations/",
        invitations.manage_invitations,
        name="manage_invitations",
    ),
    path(
        "orgs/<slug:slug>/manage/invitations/<int:pk>/resend/",
        invitations.resend,
        name="resend_invitation",
    ),
    path(
        "orgs/<slug:slug>/manage/invitations/<int:pk>/revoke/",
        invitations.revoke,
        name="revoke_invitation",
    ),
    path(
        "orgs/<slug:slug>/manage/invitations/batches/<int:pk>/",
        invitations.batch,
        name="invitation_batch",
    ),
    # A person's own account
    path("accounts/preferences/", preferences.email_preferences, name="email_preferences"),
    path("accounts/memberships/", account.memberships_page, name="memberships"),
    path("accounts/memberships/<int:pk>/leave/", account.leave, name="leave"),
    path("accounts/data/", account.export_data, name="export_data"),
    path("accounts/delete/", account.delete_account, name="delete_account"),
]
