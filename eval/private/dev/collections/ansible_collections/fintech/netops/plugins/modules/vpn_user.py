#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: FinTech Network Operations
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vpn_user
short_description: Manage an account on the corporate remote-access VPN
description:
  - Creates, suspends or removes a user on the remote-access VPN concentrators.
  - The profile decides which internal networks the user may reach by default.
options:
  username:
    description:
      - Directory login of the user.
    type: str
    required: true
    aliases: [login]
  profile:
    description:
      - Access profile of the account.
    type: str
    choices: [employee, contractor, vendor]
    default: employee
  mfa:
    description:
      - Whether the user must confirm each login with a second factor.
    type: bool
    default: true
  valid_days:
    description:
      - Number of days the account stays valid before it must be renewed.
    type: int
    default: 90
  initial_password:
    description:
      - One-time password handed to the user for the first login. Only used when the account is created.
    type: str
  allowed_networks:
    description:
      - Networks, in CIDR notation, the account may reach. Replaces the profile's default networks.
    type: list
    elements: str
  state:
    description:
      - C(active) creates or re-enables the account, C(suspended) blocks logins but keeps it,
        C(removed) deletes it.
    type: str
    choices: [active, suspended, removed]
    default: active
author:
  - Network Operations (@fintech-netops)
"""

EXAMPLES = r"""
- name: Give a contractor VPN access for 60 days
  fintech.netops.vpn_user:
    username: ext-rpatel
    profile: contractor
    valid_days: 60
    initial_password: "{{ vault_vpn_initial_password }}"

- name: Suspend an account during an investigation
  fintech.netops.vpn_user:
    username: jlee
    state: suspended
"""

RETURN = r"""
expires_on:
  description: Date the account expires.
  returned: when state is active
  type: str
  sample: "2025-03-31"
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            username=dict(type='str', required=True, aliases=['login']),
            profile=dict(type='str', choices=['employee', 'contractor', 'vendor'], default='employee'),
            mfa=dict(type='bool', default=True),
            valid_days=dict(type='int', default=90),
            initial_password=dict(type='str', no_log=True),
            allowed_networks=dict(type='list', elements='str'),
            state=dict(type='str', choices=['active', 'suspended', 'removed'], default='active'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
