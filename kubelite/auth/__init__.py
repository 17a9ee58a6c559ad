"""Identities and the RBAC authorizer.

Trust boundary: a local user who can write the state directory can do anything.
Within it, every CLI request is authorized through RBAC as the API server would.
"""
from kubelite.auth.identity import ADMIN, Identity

__all__ = ["ADMIN", "Identity"]
