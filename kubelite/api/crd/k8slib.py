"""The Kubernetes CEL libraries rules use beyond standard CEL (apiserver `pkg/cel/library`):
IP and CIDR, URL, lists, regex and quantity functions.

cel-expr-python cannot yet run opaque types from Python, so an `ip`, `cidr`, `url` or
`quantity` value is carried as its canonical string; the member functions are declared on
strings. Rules compare and query them as upstream's examples do (`ip(a) == ip(b)`,
`cidr(c).containsIP(ip)`, `quantity(q).isGreaterThan(quantity('1Gi'))`).
"""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit


def _ip(s: str):
    if "%" in s:
        raise ValueError(f"IP address with zone value is not allowed: {s}")
    a = ipaddress.ip_address(s)
    if a.version == 6 and a.ipv4_mapped is not None:
        raise ValueError(f"IPv4-mapped IPv6 address is not allowed: {s}")
    return a


def _ok(fn, s) -> bool:
    try:
        fn(s)
        return True
    except (ValueError, TypeError):
        return False


def _cidr(s: str):
    return ipaddress.ip_interface(s) if "/" in s else _fail(f"network address parse error during conversion from string: {s}")


def _fail(msg: str):
    raise ValueError(msg)


def _url(s: str):
    u = urlsplit(s)
    if not u.scheme and not s.startswith("/"):
        raise ValueError(f"URL must be an absolute URI or an absolute path: {s}")
    return u


def _quantity(s: str):
    from kubelite.api import quantity

    return quantity.parse(s)


def _cmp(a, b) -> int:
    return (a > b) - (a < b)


def _find(s: str, pattern: str) -> str:
    m = re.search(pattern, s)
    return m.group(0) if m else ""


def _find_all(s: str, pattern: str, limit: int = -1) -> list[str]:
    found = [m.group(0) for m in re.finditer(pattern, s)]
    return found if limit < 0 else found[:limit]


def _index_of(items, x) -> int:
    items = list(items)
    return items.index(x) if x in items else -1


def _last_index_of(items, x) -> int:
    items = list(items)
    return len(items) - 1 - items[::-1].index(x) if x in items else -1


def extension():
    """The libraries as a cel-expr-python extension."""
    from cel_expr_python import cel

    T = cel.Type
    S, B, I, D, L = T.STRING, T.BOOL, T.INT, T.DYN, T.List(T.DYN)

    def fn(name, *overloads):
        return cel.FunctionDecl(name, [cel.Overload(f"k8s_{name}_{i}", return_type=r, parameters=list(p), is_member=m, impl=impl)
                                       for i, (r, p, m, impl) in enumerate(overloads)])

    return cel.CelExtension("kubernetes", [
        # IP and CIDR
        fn("isIP", (B, [S], False, lambda s: _ok(_ip, s))),
        fn("ip", (S, [S], False, lambda s: str(_ip(s))), (S, [S], True, lambda c: str(_cidr(c).ip))),
        fn("family", (I, [S], True, lambda s: _ip(s).version)),
        fn("isUnspecified", (B, [S], True, lambda s: _ip(s).is_unspecified)),
        fn("isLoopback", (B, [S], True, lambda s: _ip(s).is_loopback)),
        fn("isLinkLocalMulticast", (B, [S], True, lambda s: _ip(s).is_multicast and _ip(s).is_link_local)),
        fn("isLinkLocalUnicast", (B, [S], True, lambda s: _ip(s).is_link_local and not _ip(s).is_multicast)),
        fn("isGlobalUnicast", (B, [S], True, lambda s: _ip(s).is_global or _ip(s).is_private)),
        fn("isCIDR", (B, [S], False, lambda s: _ok(_cidr, s))),
        fn("cidr", (S, [S], False, lambda s: str(_cidr(s)))),
        fn("containsIP", (B, [S, S], True, lambda c, a: _ip(a) in _cidr(c).network)),
        fn("containsCIDR", (B, [S, S], True, lambda c, o: _cidr(o).network.subnet_of(_cidr(c).network)
                             if _cidr(o).version == _cidr(c).version else False)),
        fn("prefixLength", (I, [S], True, lambda c: _cidr(c).network.prefixlen)),
        fn("masked", (S, [S], True, lambda c: str(_cidr(c).network))),
        # URL
        fn("isURL", (B, [S], False, lambda s: _ok(_url, s))),
        fn("url", (S, [S], False, lambda s: (_url(s), s)[1])),
        fn("getScheme", (S, [S], True, lambda s: _url(s).scheme)),
        fn("getHost", (S, [S], True, lambda s: _url(s).netloc.rsplit("@", 1)[-1])),
        fn("getHostname", (S, [S], True, lambda s: (_url(s).hostname or ""))),
        fn("getPort", (S, [S], True, lambda s: str(_url(s).port or ""))),
        fn("getEscapedPath", (S, [S], True, lambda s: _url(s).path)),
        # lists
        fn("isSorted", (B, [L], True, lambda items: list(items) == sorted(items))),
        fn("sum", (D, [L], True, lambda items: sum(items))),
        fn("min", (D, [L], True, lambda items: min(items))),
        fn("max", (D, [L], True, lambda items: max(items))),
        fn("indexOf", (I, [L, D], True, _index_of)),
        fn("lastIndexOf", (I, [L, D], True, _last_index_of)),
        # regex
        fn("find", (S, [S, S], True, _find)),
        fn("findAll", (T.List(S), [S, S], True, lambda s, p: _find_all(s, p)),
           (T.List(S), [S, S, I], True, _find_all)),
        # quantity
        fn("isQuantity", (B, [S], False, lambda s: _ok(_quantity, s))),
        fn("quantity", (S, [S], False, lambda s: (_quantity(s), s)[1])),
        fn("isGreaterThan", (B, [S, S], True, lambda a, b: _quantity(a) > _quantity(b))),
        fn("isLessThan", (B, [S, S], True, lambda a, b: _quantity(a) < _quantity(b))),
        fn("compareTo", (I, [S, S], True, lambda a, b: _cmp(_quantity(a), _quantity(b)))),
        fn("sign", (I, [S], True, lambda a: _cmp(_quantity(a), 0))),
        fn("isInteger", (B, [S], True, lambda a: _quantity(a).denominator == 1)),
        fn("asInteger", (I, [S], True, lambda a: int(_quantity(a)))),
        fn("asApproximateFloat", (T.DOUBLE, [S], True, lambda a: float(_quantity(a)))),
    ])
