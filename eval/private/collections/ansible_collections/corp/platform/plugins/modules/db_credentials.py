#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: db_credentials
short_description: Create or drop an application's database credentials
description:
  - Creates a database user for an application on the shared database platform with a set of privileges, or drops it.
options:
  database:
    description: Database name on the shared platform.
    type: str
    required: true
  username:
    description: User to create.
    type: str
    required: true
  password:
    description: Password of the user.
    type: str
    no_log: true
  privileges:
    description: Level of access.
    type: str
    choices: [read, write, admin]
    default: read
  state:
    description: Whether the user exists.
    type: str
    choices: [present, absent]
    default: present
author:
  - Platform team
"""

EXAMPLES = r"""
- name: Read-only user for the reporting job
  corp.platform.db_credentials:
    database: orders
    username: reporting
    password: "{{ reporting_db_password }}"
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
        argument_spec={'database': {'type': 'str', 'required': True}, 'username': {'type': 'str', 'required': True}, 'password': {'type': 'str', 'no_log': True}, 'privileges': {'type': 'str', 'choices': ['read', 'write', 'admin'], 'default': 'read'}, 'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
