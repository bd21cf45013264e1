"""`ansible-playbook`, for the `--syntax-check` ansible-lint runs, with ansible_env.guard() applied
first: ansible-playbook adds the plugin folders beside the playbook and in its roles, and
templating an `import_tasks:` target while parsing would import a repository's filter plugins.

ansible_env.guarded_tools() puts a script that runs this module first on the linter's PATH.
"""
from __future__ import annotations

import sys


def main() -> int:
    import ansible.cli  # noqa: F401 - ansible's CLI set-up comes before the rest of ansible

    from codegen.validate.ansible_env import guard

    guard()
    from ansible.cli.playbook import PlaybookCLI

    # The CLI parses args[1:]: args[0] is the program's name. Given sys.argv[1:], it took
    # `--syntax-check` for the name and RAN the playbook; it must only ever check it.
    args = ["ansible-playbook", *sys.argv[1:]]
    if "--syntax-check" not in args:
        print("guarded ansible-playbook: only --syntax-check is allowed", file=sys.stderr)
        return 2
    return PlaybookCLI.cli_executor(args)


if __name__ == "__main__":
    sys.exit(main())
