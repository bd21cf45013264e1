#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the data platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: db_snapshot
short_description: Take or delete a snapshot of a managed database
description:
- Takes a point-in-time snapshot of a database on the managed database platform, or deletes one.
options:
  database:
    description: Name of the database.
    type: str
    required: true
  snapshot:
    description: Name of the snapshot.
    type: str
    required: true
  retention_days:
    description: Days before the snapshot is deleted automatically.
    type: int
    default: 30
  state:
    description: Whether the snapshot exists.
    type: str
    choices:
    - present
    - absent
    default: present
author:
- Data platform team
"""

EXAMPLES = r"""
- name: Snapshot the shop database before the upgrade
  devteam.data.db_snapshot:
    database: shop
    snapshot: pre-upgrade
- name: Delete an old snapshot
  devteam.data.db_snapshot:
    database: shop
    snapshot: weekly-12
    state: absent
"""

RETURN = r"""
changed:
  description: Whether anything changed.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec={'database': {'type': 'str', 'required': True}, 'snapshot': {'type': 'str', 'required': True}, 'retention_days': {'type': 'int', 'default': 30}, 'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'}}, supports_check_mode=True)
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
