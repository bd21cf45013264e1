#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Civic IAM team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: group_member
short_description: Manage membership of accounts in Civic directory groups
description:
  - Adds an account to, or removes it from, a group of the central Civic directory.
  - Group membership in the directory drives access to every federated application; local Unix groups are not touched.
options:
  group:
    description: Common name of the directory group, for example C(finance-readers).
    type: str
    required: true
  user:
    description: Directory username (sAMAccountName style) of the account.
    type: str
    required: true
    aliases: [member, username]
  directory:
    description: Which directory tree the group lives in.
    type: str
    choices: [staff, citizen, partner]
    default: staff
  expires_on:
    description: Date (YYYY-MM-DD) after which the membership is removed automatically.
    type: str
  justification:
    description: Reason recorded in the audit log.
    type: str
  state:
    description: Whether the account is a member.
    type: str
    choices: [present, absent]
    default: present
author:
  - Civic IAM Team
"""

EXAMPLES = r"""
- name: Give jdoe read access to finance reports
  civic.identity.group_member:
    group: finance-readers
    user: jdoe
    justification: "CHG-10442 quarterly close"

- name: Temporary partner access
  civic.identity.group_member:
    group: grants-portal-editors
    user: ext.mlopez
    directory: partner
    expires_on: "2024-12-31"

- name: Remove a leaver from the admins group
  civic.identity.group_member:
    group: dir-admins
    user: tsmith
    state: absent
"""

RETURN = r"""
member_dn:
  description: Distinguished name of the member account.
  returned: always
  type: str
  sample: CN=jdoe,OU=Staff,DC=civic,DC=gov
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            group=dict(type='str', required=True),
            user=dict(type='str', required=True, aliases=['member', 'username']),
            directory=dict(type='str', choices=['staff', 'citizen', 'partner'], default='staff'),
            expires_on=dict(type='str'),
            justification=dict(type='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
