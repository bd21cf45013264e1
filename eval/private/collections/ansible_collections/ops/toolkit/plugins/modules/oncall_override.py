#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the SRE team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: oncall_override
short_description: Put someone on call in place of the scheduled engineer
description:
  - Adds an override to an on-call schedule so that a user is on call for some hours, starting now.
options:
  schedule:
    description: Name of the on-call schedule, e.g. C(payments-primary).
    type: str
    required: true
  user:
    description: Username of the engineer who takes the shift.
    type: str
    required: true
  hours:
    description: Length of the override in hours.
    type: int
    default: 8
author:
  - SRE
"""

EXAMPLES = r"""
- name: Alice covers the payments pager tonight
  ops.toolkit.oncall_override:
    schedule: payments-primary
    user: alice
    hours: 12
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
        argument_spec={'schedule': {'type': 'str', 'required': True}, 'user': {'type': 'str', 'required': True}, 'hours': {'type': 'int', 'default': 8}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
