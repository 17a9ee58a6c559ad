"""Modules imported on first use, so a read-only command never pays for the write path.

    validation = lazy.module("kubelite.api.validation")   # imported at first attribute access
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class _Lazy(ModuleType):
    def __init__(self, name: str):
        super().__init__(name)
        self.__dict__["_target"] = None

    def __getattr__(self, attr: str) -> Any:
        target = self.__dict__["_target"]
        if target is None:
            target = importlib.import_module(self.__name__)
            self.__dict__["_target"] = target
        return getattr(target, attr)


def module(name: str) -> Any:
    return _Lazy(name)
