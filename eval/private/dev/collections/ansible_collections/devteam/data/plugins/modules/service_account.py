#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the data platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: service_account
short_description: Manage a service account on the identity platform
description:
- Creates or removes a non-human account on the internal identity platform, with its owning team and API
  scopes.
options:
  name:
    description: Account name.
    type: str
    required: true
  team:
    description: Team that owns the account.
    type: str
  scopes:
    description: API scopes the account is granted.
    type: list
    elements: str
    default: []
  expires_days:
    description: Days until the account's credentials expire.
    type: int
    default: 365
  state:
    description: Whether the account exists.
    type: str
    choices:
    - present
    - absent
    default: present
author:
- Data platform team
"""

EXAMPLES = r"""
- name: Create the deploy bot account
  devteam.data.service_account:
    name: deploy-bot
    team: release
    scopes:
    - deploy.write
"""

RETURN = r"""
changed:
  description: Whether anything changed.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec={'name': {'type': 'str', 'required': True}, 'team': {'type': 'str'}, 'scopes': {'type': 'list', 'elements': 'str', 'default': []}, 'expires_days': {'type': 'int', 'default': 365}, 'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'}}, supports_check_mode=True)
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
