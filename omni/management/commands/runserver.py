"""``runserver`` with a real listen backlog.

Django's development server listens with a backlog of 10 (the standard library's default is
5): a burst of API clients connecting at once (a web shop's checkout, a load test, 32 store
tablets refreshing together) overflows it and the kernel drops connections. This one queues
up to 128 while its threads pick them up. WhiteNoise's ``runserver_nostatic`` (listed just
before ``omni`` in INSTALLED_APPS) wraps this command, as it wraps staticfiles' one.
"""

from django.contrib.staticfiles.management.commands.runserver import Command as StaticfilesRunserver
from django.core.servers.basehttp import WSGIServer

LISTEN_BACKLOG = 128


class BackloggedWSGIServer(WSGIServer):
    request_queue_size = LISTEN_BACKLOG


class Command(StaticfilesRunserver):
    server_cls = BackloggedWSGIServer
