"""A logging filter that keeps the client's address out of the logs.

Django's development server logs its socket (whose text includes the client's address and port)
with each request; the tips pages promise that no address is stored anywhere, so the filter
replaces any `request` that is not a Django request, and any `client_address`, by a dash. Django
requests themselves print only their method and path.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest


class NoClientAddress(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, HttpRequest):
            record.request = "-"
        if hasattr(record, "client_address"):
            record.client_address = "-"
        return True
