"""apiextensions.k8s.io machinery, pure: schema checks, validation, defaulting, pruning, CEL.

Shaped as upstream's apiextensions-apiserver (`pkg/apiserver/schema/`): each concern is a
module of pure functions over a CRD's `openAPIV3Schema` (a plain dict) and an object,
with no I/O. `definition` validates a CustomResourceDefinition itself.
"""
