#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Civic IAM team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: password_policy
short_description: Manage fine-grained password policies in the Civic directory
description:
  - Creates, changes or deletes a named password policy of the central directory and binds it to directory groups.
  - This does not change PAM or pwquality settings on hosts.
options:
  name:
    description: Name of the policy.
    type: str
    required: true
    aliases: [policy_name]
  min_length:
    description: Minimum number of characters.
    type: int
    default: 12
  max_age_days:
    description: Days after which a password must be changed. C(0) means never.
    type: int
    default: 0
  history_count:
    description: Number of previous passwords that may not be reused.
    type: int
    default: 5
  require_complexity:
    description: Whether passwords need upper case, lower case, digits and symbols.
    type: bool
    default: true
  lockout_threshold:
    description: Failed sign-ins before the account is locked. C(0) disables lockout.
    type: int
    default: 10
  apply_to:
    description: Directory groups the policy is bound to.
    type: list
    elements: str
  state:
    description: Whether the policy exists.
    type: str
    choices: [present, absent]
    default: present
author:
  - Civic IAM Team
"""

EXAMPLES = r"""
- name: Strict policy for privileged accounts
  civic.identity.password_policy:
    name: privileged
    min_length: 16
    max_age_days: 60
    history_count: 24
    lockout_threshold: 5
    apply_to: [dir-admins, helpdesk-tier2]
"""

RETURN = r"""
precedence:
  description: Precedence the directory assigned to the policy.
  returned: when state is present
  type: int
  sample: 20
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True, aliases=['policy_name']),
            min_length=dict(type='int', default=12),
            max_age_days=dict(type='int', default=0),
            history_count=dict(type='int', default=5),
            require_complexity=dict(type='bool', default=True),
            lockout_threshold=dict(type='int', default=10),
            apply_to=dict(type='list', elements='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
