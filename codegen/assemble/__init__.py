"""Assemble a playbook from generated task snippets.

Each snippet is the YAML text of a list of tasks, already normalised (`- name:` at column 0,
two-space indentation, FQCN modules). The snippets go into one play as written: they are only
re-indented, never re-dumped, so quoting, comments and layout survive. Python does the analysis:
become.py (does the play need `become`?), handlers.py (which notified handlers are missing and
what should they do?), notify.py (dropping a notify nothing answers from the text); snippets.py
reads the snippets; playbook.py puts them into `prompts/playbook.yml.j2`, which does the layout.
"""
from codegen.assemble.playbook import assemble_playbook, play_name

__all__ = ["assemble_playbook", "play_name"]
