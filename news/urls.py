from django.urls import path

from news import feeds, views, views_newsletter

app_name = "news"

urlpatterns = [
    path("", views.post_list, name="list"),
    path("feed/rss/", feeds.NewsFeed(), name="feed_rss"),
    path("feed/atom/", feeds.AtomNewsFeed(), name="feed_atom"),
    path("category/<slug:category>/", views.post_list, name="category"),
    path("category/<slug:category>/feed/rss/", feeds.NewsFeed(), name="category_feed_rss"),
    path("category/<slug:category>/feed/atom/", feeds.AtomNewsFeed(), name="category_feed_atom"),
    path("newsletter/", views_newsletter.subscribe, name="newsletter"),
    path(
        "newsletter/check-your-email/", views_newsletter.check_email, name="newsletter_check_email"
    ),
    path("newsletter/confirm/<str:token>/", views_newsletter.confirm, name="newsletter_confirm"),
    path("newsletter/unsubscribe/", views_newsletter.unsubscribe, name="newsletter_unsubscribe"),
    path("<slug:slug>/", views.post_detail, name="post"),
]
