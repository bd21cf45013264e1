"""pre-commit hooks (and the plain `fill` / `check` commands behind them).

- fill: replace stubs with generated tasks, every other byte of the file kept.
- commands: the click commands, registered on the `ansible-codegen` group by codegen.cli.

Which files are Ansible, where their task lists lie and which tasks are stubs is decided in
codegen.ansible_files.classify; `check` is codegen.validate.files, the one file validator the
language server's diagnostics use too.

Nothing here imports torch, ansible or ansible-lint at module level: `check` never loads a model and
`fill` loads one only when a file has a stub.
"""
