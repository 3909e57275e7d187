from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Members join by invitation from their organization or PSE staff;
        # organizations apply to join the Circle. The sign-up page says so.
        return False
