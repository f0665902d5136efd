"""Capture checks: is a video fit to measure."""
