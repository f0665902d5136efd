"""kneeline's data files: norms, thresholds, doses and the exercise library, each with its source."""
