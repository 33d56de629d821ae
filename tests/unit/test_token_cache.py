"""The token cache keeps a verified sign-in only while its process hears of ended ones (db/notify.py):
nothing before it listens or after the listening connection is lost, and nothing read from the
database before a notification emptied it."""

from __future__ import annotations

from grannsamverkan.domain.access import Principal
from grannsamverkan.http.auth import TokenCache

ANNA = Principal(token_id=0, name="anna", role="coordinator", kommuner=("2283",))


def test_nothing_is_kept_until_the_process_listens() -> None:
    cache = TokenCache(60)
    cache.put("s x", ANNA, cache.generation)
    assert cache.get("s x") is None
    cache.listening(True)
    cache.put("s x", ANNA, cache.generation)
    assert cache.get("s x") == ANNA


def test_a_lost_connection_forgets_and_stops_keeping() -> None:
    cache = TokenCache(60)
    cache.listening(True)
    cache.put("s x", ANNA, cache.generation)
    cache.listening(False)
    assert cache.get("s x") is None
    cache.put("s x", ANNA, cache.generation)
    assert cache.get("s x") is None


def test_a_principal_read_before_a_notification_is_not_kept_after_it() -> None:
    cache = TokenCache(60)
    cache.listening(True)
    cache.put("s x", ANNA, cache.generation)
    read_at = cache.generation  # a request asks the database ...
    cache.clear("account")  # ... the account is disabled and the notification arrives ...
    cache.put("s y", ANNA, read_at)  # ... before the request would keep what it read
    assert cache.get("s x") is None and cache.get("s y") is None
