"""The Hugging Face Hub's HTTP client with secft's timeouts and overall deadlines (``configure_hub``).

Why a module of its own: huggingface_hub's shared client is replaced, not configured, so this is the one place
that knows its factory hook; tasks.core.network keeps what every HTTP call shares.
"""

from __future__ import annotations

from tasks.core.network import deadline_backend


def configure_hub(net: dict) -> None:
    """Give huggingface_hub's shared HTTP client our connect/read timeouts.

    huggingface_hub >= 1.0 talks HTTP through one shared httpx client whose
    default has *no* timeout (``timeout=None`` in ``default_client_factory``);
    ``set_client_factory`` is the documented way to replace it.  File
    downloads take ``HF_HUB_DOWNLOAD_TIMEOUT`` / ``HF_HUB_ETAG_TIMEOUT``
    from ``huggingface_hub.constants``, set here as well.
    """
    from huggingface_hub import constants
    from huggingface_hub.utils import _http as hf_http

    connect, read = float(net["connect_timeout_seconds"]), float(net["read_timeout_seconds"])
    constants.HF_HUB_ETAG_TIMEOUT = max(1, int(read))
    constants.HF_HUB_DOWNLOAD_TIMEOUT = max(1, int(read))
    set_factory = getattr(hf_http, "set_client_factory", None)
    if set_factory is None:  # huggingface_hub < 1.0 (requests): per-call timeouts only
        return
    import httpx2

    class BoundedClient(httpx2.Client):
        """Several huggingface_hub calls (``model_info``/``repo_info``, which ``snapshot_download``
        makes first) pass ``timeout=None`` explicitly, and in httpx an explicit None means *no*
        timeout, overriding the client's; here None means the client's own timeouts."""

        def build_request(self, *args, timeout=httpx2.USE_CLIENT_DEFAULT, **kwargs):
            return super().build_request(*args, timeout=httpx2.USE_CLIENT_DEFAULT if timeout is None else timeout, **kwargs)

    def factory():
        transport = httpx2.HTTPTransport()
        transport._pool._network_backend = deadline_backend()  # every read cut to the operation's Deadline
        return BoundedClient(
            event_hooks={"request": [hf_http.hf_request_event_hook]}, follow_redirects=True,
            timeout=httpx2.Timeout(read, connect=connect), transport=transport,
        )

    set_factory(factory)
