"""Forms of asks and offers: posting, responding, closing with an outcome,
and the board's filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asks.models import Match, Outcome, Post
from circle.access import Acting
from circle.forms import (
    ActingForField,
    ActingFormMixin,
    TagsField,
    tags_named,
)
from circle.models import Organization
from justop.translated import SideBySideLanguages
from justop.widgets import QuickSelect

if TYPE_CHECKING:
    from circle.directory import Facets

MAX_MESSAGE = 5000


class OrganizationChoiceField(forms.ModelChoiceField[Organization]):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class PostForm(ActingFormMixin, SideBySideLanguages, forms.ModelForm[Post]):
    # Chosen by the submit button pressed: "Post as <organization>".
    organization = ActingForField(label=_("On behalf of"))
    expertise_names = TagsField(
        label=_("Areas of expertise"),
        required=False,
        help_text=_("Separate them with commas, e.g. apprenticeships, digital skills."),
    )
    shared_with = forms.ModelMultipleChoiceField(
        label=_("Chosen organizations"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only for “chosen organizations only”: they and your organization see it."),
    )

    class Meta:
        model = Post
        fields = [
            "organization",
            "kind",
            "title_en",
            "title_es",
            "description_en",
            "description_es",
            "side",
            "stages",
            "counties",
            "quantity",
            "unit",
            "deadline",
            "audience",
            "shared_with",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "side": forms.RadioSelect,
            "audience": forms.RadioSelect,
            "stages": forms.CheckboxSelectMultiple,
            "counties": forms.CheckboxSelectMultiple,
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description_en": forms.Textarea(attrs={"rows": 8}),
            "description_es": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args: Any, acting: Acting | None = None, **kwargs: Any) -> None:
        """``acting``: the organization a new post is for (and the others the
        person may post for); an existing post stays with its organization."""
        super().__init__(*args, **kwargs)
        own = [self.instance.organization_id] if self.instance.pk else []
        if self.instance.pk or acting is None:
            del self.fields["organization"]
        else:
            self.act_for(acting)
            if not acting.others:
                own = [acting.organization.pk]
        # The poster's organization always sees its post: not a choice.
        self.fields["shared_with"].queryset = (  # type: ignore[attr-defined]
            Organization.objects.active().exclude(pk__in=own)
        )
        self.fields["kind"].choices = Post.Kind.choices  # type: ignore[attr-defined]
        self.order_fields([*self.Meta.fields[:9], "expertise_names"])
        self.fields["side"].choices = Organization.Side.choices  # type: ignore[attr-defined]
        self.fields["unit"].choices = [("", _("—")), *Post.Unit.choices]  # type: ignore[attr-defined]
        self.name_languages()
        if self.instance.pk:
            self.fields["expertise_names"].initial = list(self.instance.expertise.all())

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data.get("deadline")
        changed = deadline != getattr(self.instance, "deadline", None)
        if deadline and changed and deadline < timezone.localdate():
            raise ValidationError(_("The deadline is in the past."))
        return deadline

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("quantity") and not data.get("unit"):
            self.add_error("unit", _("Say what the number counts: people, places or jobs."))
        if data.get("unit") and not data.get("quantity"):
            self.add_error("quantity", _("Give a number, or leave both empty."))
        if data.get("audience") == Post.Audience.CHOSEN and not data.get("shared_with"):
            self.add_error("shared_with", _("Choose at least one organization."))
        poster = data.get("organization") or getattr(self.instance, "organization", None)
        if data.get("audience") == Post.Audience.MEMBERS:
            data["shared_with"] = []
        elif poster is not None:
            data["shared_with"] = [o for o in data.get("shared_with") or [] if o != poster]
        return data

    def save(self, commit: bool = True) -> Post:
        post = super().save(commit=commit)
        if commit:
            post.expertise.set(tags_named(self.cleaned_data.get("expertise_names", [])))
        return post


class ResponseForm(ActingFormMixin, forms.Form):
    # Chosen by the submit button pressed: "Reply as <organization>".
    organization = ActingForField(label=_("On behalf of"))
    body = forms.CharField(
        label=_("Your message"),
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only your organization and theirs will see it."),
    )

    def __init__(self, *args: Any, acting: Acting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.act_for(acting)


class ReplyForm(ActingFormMixin, forms.Form):
    """A message in a conversation, for one of its two organizations that
    the person belongs to (someone in both chooses)."""

    organization = ActingForField(label=_("On behalf of"))
    body = forms.CharField(
        label=_("Your message"), max_length=MAX_MESSAGE, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, acting: Acting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.act_for(acting)


class MarkMatchForm(forms.Form):
    state = forms.ChoiceField(choices=Match.State.choices)


class CloseForm(forms.ModelForm[Outcome]):
    status = forms.ChoiceField(
        label=_("How did it end?"),
        widget=forms.RadioSelect,
        choices=[
            (Post.Status.MATCHED, _("Matched: something came of it")),
            (Post.Status.CLOSED, _("Closed without a match")),
        ],
        initial=Post.Status.MATCHED,
    )
    partner = OrganizationChoiceField(
        label=_("With which organization?"),
        queryset=Organization.objects.none(),
        required=False,
    )

    class Meta:
        model = Outcome
        fields = ["people_placed", "partnership_started", "partner", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"people_placed": _("People hired, trained or enrolled thanks to it.")}

    def __init__(self, *args: Any, post: Post, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = (  # type: ignore[attr-defined]
            Organization.objects.active().exclude(pk=post.organization_id)
        )


OPEN = "open"


ALL = "all"


class BoardFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Asks or offers"), required=False, widget=forms.RadioSelect)
    stage = forms.ChoiceField(label=_("Continuum stage"), required=False, widget=QuickSelect)
    county = forms.ChoiceField(label=_("County"), required=False, widget=QuickSelect)
    side = forms.ChoiceField(
        label=_("Side of the continuum"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Posts on both sides are listed under each side."),
    )
    tag = forms.ChoiceField(label=_("Area of expertise"), required=False, widget=QuickSelect)
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        widget=forms.RadioSelect,
        choices=[(OPEN, _("Open posts only")), (ALL, _("All posts, closed ones too"))],
    )

    def __init__(self, data: Mapping[str, Any], facets: Facets) -> None:
        # Open posts are the default, and the form says so.
        data = {key: data.get(key) for key in data}
        data.setdefault("show", OPEN)
        super().__init__(data, auto_id="board-%s", label_suffix="")
        self._choices("kind", _("Both"), Post.Kind.choices)
        self._choices("stage", _("Any stage"), [(s.key, s.localized_name) for s in facets.stages])
        self._choices("county", _("Any county"), [(c.key, c.name) for c in facets.counties])
        self._choices("side", _("Either side"), Organization.Side.choices)
        self._choices("tag", _("Any expertise"), [(e.slug, e.name) for e in facets.expertise])

    def _choices(self, name: str, anything: Any, choices: list[tuple[str, Any]]) -> None:
        field = cast(forms.ChoiceField, self.fields[name])
        field.choices = [("", anything), *choices]

    def filters(self) -> dict[str, str]:
        """The valid filters; a field with an unknown value is left out."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
