"""Authoring beyond single tasks: playbooks from an editable outline, roles, and explanations."""
