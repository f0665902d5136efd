"""Exports for other tools: keypoints and angles for research software, FHIR R4 for clinical systems."""
