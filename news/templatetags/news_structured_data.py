"""``{% news_post_json_ld post %}``: a post's JSON-LD (news/structured_data.py)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from news import structured_data
from news.models import NewsPost

register = template.Library()


@register.simple_tag
def news_post_json_ld(post: NewsPost) -> SafeString:
    return structured_data.head(post)
