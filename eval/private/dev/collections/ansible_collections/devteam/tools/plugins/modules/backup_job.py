#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Dev tools team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: backup_job
short_description: Register a directory with the team backup service
description:
  - Adds a directory of the host to the nightly backup service with a retention, or removes it.
options:
  path:
    description: Directory to back up.
    type: path
    required: true
  retention_days:
    description: How many days backups are kept.
    type: int
    default: 14
  state:
    description: Whether the directory is backed up.
    type: str
    choices: [present, absent]
    default: present
author:
  - Dev tools
"""

EXAMPLES = r"""
- name: Back up the uploads directory for 30 days
  devteam.tools.backup_job:
    path: /srv/app/uploads
    retention_days: 30
"""

RETURN = r"""
changed:
  description: Whether anything changed.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec={'path': {'type': 'path', 'required': True}, 'retention_days': {'type': 'int', 'default': 14}, 'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
