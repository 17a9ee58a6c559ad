"""Pure API machinery: kinds, YAML, validation, defaults, selectors, quantities, merge.

Nothing in this package does I/O beyond reading the shipped schemas, and nothing
imports click or rich.
"""
