"""resource.Quantity parsing and arithmetic, as upstream."""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubelite.api.quantity import QuantityError, format_bytes, format_cpu_milli, is_valid, milli, parse, whole


@pytest.mark.parametrize("text, value", [
    ("100m", Fraction(1, 10)),
    ("1", Fraction(1)),
    ("0", Fraction(0)),
    ("1.5", Fraction(3, 2)),
    (".5", Fraction(1, 2)),
    ("5.", Fraction(5)),
    ("+2", Fraction(2)),
    ("-2", Fraction(-2)),
    ("1k", Fraction(1000)),
    ("1M", Fraction(10**6)),
    ("1G", Fraction(10**9)),
    ("1T", Fraction(10**12)),
    ("1P", Fraction(10**15)),
    ("1E", Fraction(10**18)),
    ("1Ki", Fraction(1024)),
    ("1Mi", Fraction(2**20)),
    ("1Gi", Fraction(2**30)),
    ("1Ti", Fraction(2**40)),
    ("1Pi", Fraction(2**50)),
    ("1Ei", Fraction(2**60)),
    ("1e3", Fraction(1000)),
    ("1E3", Fraction(1000)),
    ("1e-3", Fraction(1, 1000)),
    ("2.5e+2", Fraction(250)),
    ("1n", Fraction(1, 10**9)),
    ("1u", Fraction(1, 10**6)),
    ("1.5Gi", Fraction(3 * 2**29)),
])
def test_valid_quantities_parse_to_their_exact_value(text, value):
    assert parse(text) == value
    assert is_valid(text)


@pytest.mark.parametrize("text", [
    "1.1.M", "", "abc", "1 Gi", "1gi", "1GB", "1KI", "Gi", "1e", "1e3Gi", "--1", "1m1", "0x10", "1,000", "1Mi5",
])
def test_malformed_quantities_are_refused(text):
    assert not is_valid(text)
    with pytest.raises(QuantityError):
        parse(text)


@pytest.mark.parametrize("value", [True, False, None, [], {}])
def test_values_that_are_not_strings_or_numbers_are_refused(value):
    assert not is_valid(value)


def test_integers_and_floats_are_quantities_too():
    assert parse(3) == 3
    assert parse(0.25) == Fraction(1, 4)
    assert parse(0.1) == Fraction(1, 10)


@pytest.mark.parametrize("text, m", [
    ("100m", 100), ("1", 1000), ("0.5", 500), ("250m", 250), ("1.0001", 1001), ("1n", 1), ("2k", 2_000_000), ("-1", -1000),
])
def test_milli_value_rounds_up_as_upstream(text, m):
    assert milli(text) == m


@pytest.mark.parametrize("text, v", [
    ("1Gi", 2**30), ("100m", 1), ("1", 1), ("1.5", 2), ("128974848", 128974848), ("129e6", 129_000_000), ("0", 0),
])
def test_whole_value_rounds_up_as_upstream(text, v):
    assert whole(text) == v


def test_cpu_and_memory_format_back_to_their_usual_spelling():
    assert format_cpu_milli(1500) == "1500m"
    assert format_cpu_milli(2000) == "2"
    assert format_bytes(2**30) == "1Gi"
    assert format_bytes(3 * 2**20) == "3Mi"
    assert format_bytes(1000) == "1000"
    assert format_bytes(0) == "0"


def test_an_exponent_too_large_to_be_sensible_is_refused():
    assert not is_valid("1e100")


@given(st.integers(min_value=-(2**40), max_value=2**40))
def test_n_kibibytes_are_n_times_1024(n):
    assert parse(f"{n}Ki") == n * 1024


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["k", "M", "G", "T"]))
def test_decimal_suffixes_are_powers_of_1000(n, suffix):
    power = {"k": 3, "M": 6, "G": 9, "T": 12}[suffix]
    assert parse(f"{n}{suffix}") == n * 10**power
    assert parse(f"{n}e{power}") == parse(f"{n}{suffix}")


@given(st.integers(min_value=0, max_value=10**9))
def test_millis_round_trip_through_milli_value(n):
    assert milli(f"{n}m") == n
    assert milli(format_cpu_milli(n)) == n


@given(st.integers(min_value=0, max_value=2**62))
def test_format_bytes_round_trips(n):
    assert parse(format_bytes(n)) == n


@given(st.text(max_size=8))
def test_parse_either_returns_a_value_or_raises_quantity_error(text):
    try:
        v = parse(text)
    except QuantityError:
        assert not is_valid(text)
    else:
        assert isinstance(v, Fraction)
