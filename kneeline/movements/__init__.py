"""Movement tests: repetitions, stance legs, holds and their summaries."""
