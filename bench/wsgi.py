"""WSGI application of the page benchmark: the portal as justop/wsgi.py
builds it, with bench/ceiling.py's configure() applied first. Served by
gunicorn from bench/region.py; never deployed."""

import os

from django.core.wsgi import get_wsgi_application

from bench.ceiling import configure

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "justop.settings")
configure()

application = get_wsgi_application()
