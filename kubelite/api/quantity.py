"""resource.Quantity: parsing and arithmetic as upstream (`100m`, `1Gi`, `1e3`)."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

_SUFFIX = {
    "": Fraction(1),
    "n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000),
    "k": Fraction(10**3), "M": Fraction(10**6), "G": Fraction(10**9),
    "T": Fraction(10**12), "P": Fraction(10**15), "E": Fraction(10**18),
    "Ki": Fraction(2**10), "Mi": Fraction(2**20), "Gi": Fraction(2**30),
    "Ti": Fraction(2**40), "Pi": Fraction(2**50), "Ei": Fraction(2**60),
}
_RE = re.compile(r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([eE][+-]?[0-9]+)|(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei))?$")
_cache: dict[str, Fraction] = {}


class QuantityError(ValueError):
    pass


def parse(value: object) -> Fraction:
    """The exact value of a quantity; raises QuantityError when it is not one."""
    if isinstance(value, bool):
        raise QuantityError("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    if not isinstance(value, str):
        raise QuantityError("quantities must be strings or numbers")
    hit = _cache.get(value)
    if hit is not None:
        return hit
    m = _RE.match(value.strip())
    if not m:
        raise QuantityError("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    number, exponent, suffix = m.groups()
    try:
        base = Fraction(Decimal(number))
    except InvalidOperation:  # pragma: no cover - the regex admits only decimals
        raise QuantityError(f"unable to parse quantity's number {number!r}") from None
    if exponent:
        e = int(exponent[1:])
        if abs(e) > 30:
            raise QuantityError("quantity exponent out of range")
        base *= Fraction(10) ** e
    elif suffix:
        base *= _SUFFIX[suffix]
    if len(_cache) < 10000:
        _cache[value] = base
    return base


def is_valid(value: object) -> bool:
    try:
        parse(value)
        return True
    except QuantityError:
        return False


_milli_cache: dict[object, int] = {}


def milli(value: object) -> int:
    """A quantity in thousandths, rounded up as upstream's MilliValue does."""
    hit = _milli_cache.get(value) if isinstance(value, (str, int)) else None
    if hit is not None:
        return hit
    f = parse(value) * 1000
    out = -((-f.numerator) // f.denominator)
    if isinstance(value, (str, int)) and len(_milli_cache) < 10000:
        _milli_cache[value] = out
    return out


def whole(value: object) -> int:
    """A quantity rounded up to a whole number (upstream's Value)."""
    f = parse(value)
    return -((-f.numerator) // f.denominator)


def format_cpu_milli(m: int) -> str:
    return f"{m // 1000}" if m % 1000 == 0 else f"{m}m"


def format_bytes(n: int) -> str:
    for suffix, size in (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if n and n % size == 0:
            return f"{n // size}{suffix}"
    return str(n)


_DECIMAL_SUFFIXES = (("E", 18), ("P", 15), ("T", 12), ("G", 9), ("M", 6), ("k", 3), ("", 0), ("m", -3), ("u", -6), ("n", -9))
_BINARY_SUFFIXES = (("Ei", 60), ("Pi", 50), ("Ti", 40), ("Gi", 30), ("Mi", 20), ("Ki", 10))


def is_binary(text: object) -> bool:
    """Whether a quantity is written with a binary suffix (its canonical form stays binary)."""
    return isinstance(text, str) and text.strip().endswith("i")


def format(value: Fraction, binary: bool = False) -> str:  # noqa: A001 - upstream's Quantity.String
    """The canonical text of an exact value, as upstream's Quantity.String: the largest
    suffix that keeps the number whole (binary suffixes for BinarySI whole values),
    rounding up to nano-units."""
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    v = abs(value)
    if binary and v.denominator == 1:
        n = v.numerator
        for suffix, shift in _BINARY_SUFFIXES:
            if n % (1 << shift) == 0:
                return f"{sign}{n >> shift}{suffix}"
        return f"{sign}{n}"
    nano = v * 10**9
    n = -((-nano.numerator) // nano.denominator)  # round up to nano-units
    for suffix, exp in _DECIMAL_SUFFIXES:
        unit = 10 ** (exp + 9)
        if n % unit == 0:
            return f"{sign}{n // unit}{suffix}"
    return f"{sign}{n}n"
