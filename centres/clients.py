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
    """The client as our own proxies saw it: an IPv4 address, or the /64 network of an IPv6 one (a single
    subscriber holds a whole /64, and would otherwise guess passwords from each of its addresses in turn); "" when
    neither the header nor the connection holds an address."""
    direct = _parsed(request.META.get("REMOTE_ADDR", ""))
    if settings.BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        count = settings.TRUSTED_PROXY_COUNT
        if forwarded and count > 0:
            entry = forwarded[-count] if len(forwarded) >= count else forwarded[0]
            return _parsed(entry) or direct
    return direct


def _parsed(text: str) -> str:
    """An address as written by a proxy or a socket ("203.0.113.5", "203.0.113.5:4711", "[2001:db8::1]:443",
    "::ffff:203.0.113.5"), reduced to what identifies one client; "" when it is no address."""
    text = text.strip()
    if text.startswith("["):  # [IPv6] or [IPv6]:port
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # IPv4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def client_key(request: HttpRequest) -> str:
    """A keyed hash of the client's address: the same address gives the same key, and the key gives nothing back
    without the site's secret key. What the login lockout and the rate limits count by."""
    return salted_hmac("centres.clients", client_address(request)).hexdigest()[:32]


def rate_limit_key(group: str, request: HttpRequest) -> str:
    """django-ratelimit's key: the client's hashed address."""
    return client_key(request)
