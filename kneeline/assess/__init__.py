"""Assessment: intake, red-flag screen, outcome measures and findings."""
