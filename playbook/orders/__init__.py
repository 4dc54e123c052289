"""Wish order files: read and typed, triaged by the rules of data/triage.yaml, explained."""
