"""Lessons learned: the case table, its figures and charts, and fixes against root causes."""
