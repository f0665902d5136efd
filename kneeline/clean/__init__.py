"""Cleaning pose series: masking, gap filling, filtering, left/right swap repair."""
