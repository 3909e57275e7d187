from django.urls import path

from news import feeds
from news.views import newsletter, posts

app_name = "news"

urlpatterns = [
    path("", posts.post_list, name="list"),
    path("feed/rss/", feeds.NewsFeed(), name="feed_rss"),
    path("feed/atom/", feeds.AtomNewsFeed(), name="feed_atom"),
    path("category/<slug:category>/", posts.post_list, name="category"),
    path("category/<slug:category>/feed/rss/", feeds.NewsFeed(), name="category_feed_rss"),
    path("category/<slug:category>/feed/atom/", feeds.AtomNewsFeed(), name="category_feed_atom"),
    path("newsletter/", newsletter.subscribe, name="newsletter"),
    path("newsletter/check-your-email/", newsletter.check_email, name="newsletter_check_email"),
    path("newsletter/confirm/<str:token>/", newsletter.confirm, name="newsletter_confirm"),
    path("newsletter/unsubscribe/", newsletter.unsubscribe, name="newsletter_unsubscribe"),
    path("<slug:slug>/", posts.post_detail, name="post"),
]
