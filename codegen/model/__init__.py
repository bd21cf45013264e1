"""The model stage: locate a base, load it (with an adapter), generate text."""
