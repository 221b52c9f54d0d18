"""Django's Redis cache, for which Redis being down or hung is a miss, never an error.

Nothing Omni keeps in the cache is the only copy (reliability rates, import progress, API
throttling counts, the worker heartbeat): a read that cannot reach Redis answers the default
and the caller recounts; a write that cannot reach Redis is skipped. Each such error is
logged and counted (``errors_seen``, shown by /healthz). The socket timeouts in ``CACHES``
OPTIONS make a hung Redis fail fast. /healthz pings Redis directly, so an outage still shows.
"""

from __future__ import annotations

import functools
import logging

from django.core.cache.backends.redis import RedisCache

from .errors import REDIS_ERRORS

logger = logging.getLogger(__name__)

_errors = {"count": 0}


def errors_seen() -> int:
    """How many cache calls this process answered as a miss because Redis failed."""
    return _errors["count"]


def _miss_on_outage(answer):
    """Run the cache call; on a Redis connection or timeout error, log, count, and return
    ``answer(*args, **kwargs)`` (what a miss or a skipped write returns)."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except REDIS_ERRORS as error:
                _errors["count"] += 1
                logger.warning(
                    "cache %s treated as a miss: Redis %s: %s", method.__name__, type(error).__name__, error
                )
                return answer(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


class ResilientRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are skipped while Redis is unreachable."""

    get = _miss_on_outage(_default)(RedisCache.get)
    get_many = _miss_on_outage(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _miss_on_outage(lambda *a, **k: False)(RedisCache.has_key)
    set = _miss_on_outage(lambda *a, **k: None)(RedisCache.set)
    add = _miss_on_outage(lambda *a, **k: False)(RedisCache.add)
    touch = _miss_on_outage(lambda *a, **k: False)(RedisCache.touch)
    set_many = _miss_on_outage(lambda data, *a, **k: list(data))(RedisCache.set_many)
    delete = _miss_on_outage(lambda *a, **k: False)(RedisCache.delete)
    delete_many = _miss_on_outage(lambda *a, **k: None)(RedisCache.delete_many)
