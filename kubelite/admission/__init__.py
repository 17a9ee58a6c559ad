"""Admission plugins: what the apiserver does to an object on its way into the store,
beyond defaults and validation (allocating Service IPs and ports, storage defaults, ...).

Importing this package registers every plugin with kubelite.apiserver.
"""
import importlib

PLUGINS = ("config", "services", "storage", "serviceaccounts", "rbac", "certificates", "customresources", "policies", "limitrange", "priority", "ingressclass", "quota")

for _name in PLUGINS:
    try:
        importlib.import_module(f"kubelite.admission.{_name}")
    except ModuleNotFoundError as e:  # a plugin a later change adds; absent until then
        if e.name != f"kubelite.admission.{_name}":
            raise
