"""Evaluation: metrics on (predicted, reference) task pairs and the runner that compares systems."""
