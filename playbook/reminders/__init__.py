"""Deadline reminders: who gets which due cases, on which channels, each sent once."""
