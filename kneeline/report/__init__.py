"""Results and output files of an analysis."""
