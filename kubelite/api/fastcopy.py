"""Deep copies of JSON-shaped objects, several times faster than copy.deepcopy.

Controllers copy every object they change; for plain dicts, lists and scalars a
marshal round trip is the cheapest faithful copy Python offers, and it keeps interned
strings interned (objects from the parse cache share their keys; see store.cache).
Anything marshal cannot hold goes through pickle.
"""
from __future__ import annotations

import marshal
import pickle
from typing import TypeVar

T = TypeVar("T")


def clone(obj: T) -> T:
    try:
        return marshal.loads(marshal.dumps(obj))
    except ValueError:  # not plain data (an object marshal does not know)
        return pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
