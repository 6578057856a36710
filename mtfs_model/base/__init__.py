"""Foundations every layer may use: errors, fiscal years, row ids, bounded schema types, limits,
safe output (atomic writes, table text), display helpers and argument checks.

Imports nothing from the rest of the package.
"""
