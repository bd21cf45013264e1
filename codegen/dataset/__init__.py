"""Training data: (request, context) -> task pairs from installed content and user directories."""
