"""pre-commit hooks (and the plain `fill` / `check` commands behind them).

- files: is a YAML file Ansible (a playbook, a tasks or handlers file) and where are its task lists;
  which tasks are stubs waiting for generation (`- name: <request>` alone, or `# codegen: <request>`).
- fill: replace stubs with generated tasks, every other byte of the file kept.
- check: validate every task of the given files (argument specs, task keywords, Jinja, ansible-lint).
- commands: the click commands, registered on the `ansible-codegen` group by codegen.cli.

Nothing here imports torch, ansible or ansible-lint at module level: `check` never loads a model and
`fill` loads one only when a file has a stub.
"""
