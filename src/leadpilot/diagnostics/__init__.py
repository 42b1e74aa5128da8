"""Diagnostics: what the numbers mean — period comparison, decomposition, significance,
findings; planning and forecast."""
