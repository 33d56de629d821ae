import logging
from tests.api.test_fuzz import _asgi_post_chunked, _big_csv, SMALL_LIMIT
from tests.api.test_fuzz import small_client  # noqa
async def test_dbg(small_client, auth, caplog):
    caplog.set_level(logging.DEBUG)
    headers = {**await auth("admin"), "content-type": "text/csv"}
    body = _big_csv(3)
    r = await _asgi_post_chunked(small_client.app, "/api/v1/households/import", "kommun=2283", headers, body, chunk=1 << 20)
    print("RESULT", r)
    r = await _asgi_post_chunked(small_client.app, "/api/v1/kommuner", "", headers, body, chunk=1 << 20)
    print("RESULT2", r)
    r = await _asgi_post_chunked(small_client.app, "/api/v1/areas", "", headers, body, chunk=1 << 20)
    print("RESULT3", r)
