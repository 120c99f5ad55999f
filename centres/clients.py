"""Who is asking: the client's address, read once and never stored or logged — only a keyed hash of it.

Behind the documented reverse proxy every request comes from the proxy, so five bad passwords from anyone would
lock out an editor everywhere. With `BEHIND_PROXY`, the address is read from `X-Forwarded-For`: the entry added by
the outermost of the `TRUSTED_PROXY_COUNT` proxies (each proxy appends the address it saw, so entries further left
were written by the client and may be forged). Without it, the header is ignored: anyone can send it.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac


def client_address(request: HttpRequest) -> str:
    """The client's IP address as our own proxies saw it; "" when there is none that reads as an address."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        count = settings.TRUSTED_PROXY_COUNT
        if forwarded and count > 0:
            address = forwarded[-count] if len(forwarded) >= count else forwarded[0]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""


def client_key(request: HttpRequest) -> str:
    """A keyed hash of the client's address: the same address gives the same key, and the key gives nothing back
    without the site's secret key. What the login lockout and the rate limits count by."""
    return salted_hmac("centres.clients", client_address(request)).hexdigest()[:32]


def rate_limit_key(group: str, request: HttpRequest) -> str:
    """django-ratelimit's key: the client's hashed address."""
    return client_key(request)
