"""Classifier stage: labels articles with theaters, actors and events from editable data files."""
