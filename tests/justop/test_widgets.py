"""QuickSelect writes the same <select> as Django's template-rendered one."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.test.html import parse_html

from justop.widgets import QuickSelect

CHOICES = [
    ("", "Any"),
    ("a-b", "Smith & Sons <Ltd>"),
    ("c", 'Quote "here"'),
    ("Group", [("g1", "First"), ("g2", "Second")]),
]


def normalised(html: str) -> object:
    """The parsed markup: attribute order and whitespace between tags aside."""
    return parse_html(re.sub(r">\s+<", "><", html.strip()))


@pytest.mark.parametrize("value", ["", "a-b", "g2", "not-offered"])
def test_it_writes_the_markup_django_writes(value):
    attrs = {"id": "id_f", "aria-describedby": "f_help", "required": True, "class": "x"}
    django_html = forms.Select(choices=CHOICES).render("f", value, attrs)
    quick_html = QuickSelect(choices=CHOICES).render("f", value, attrs)

    assert normalised(str(quick_html)) == normalised(str(django_html))


def test_a_form_field_marks_its_choice_and_escapes_labels():
    class Filters(forms.Form):
        organization = forms.ChoiceField(choices=CHOICES, required=False, widget=QuickSelect)

    html = str(Filters({"organization": "a-b"})["organization"])

    assert '<option value="a-b" selected>Smith &amp; Sons &lt;Ltd&gt;</option>' in html
    assert 'id="id_organization"' in html
