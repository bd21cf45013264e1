#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: FinTech Network Operations
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ipam_address
short_description: Allocate or release an IP address in the team IPAM
description:
  - Reserves an IPv4 address for a host name in a subnet of the IPAM and publishes the
    matching DNS records, or gives the address back to the pool.
  - Without I(address) the IPAM picks the next free address of the subnet.
options:
  fqdn:
    description:
      - Fully qualified host name the address is allocated to.
    type: str
    required: true
    aliases: [hostname]
  subnet:
    description:
      - Subnet to allocate from, either in CIDR notation or by its IPAM name (for example C(mgmt-vlan)).
    type: str
    required: true
  address:
    description:
      - A specific address to reserve instead of the next free one.
    type: str
  ttl_seconds:
    description:
      - TTL of the DNS records published for the allocation.
    type: int
    default: 3600
  create_ptr:
    description:
      - Whether a reverse (PTR) record is published as well as the A record.
    type: bool
    default: true
  owner_email:
    description:
      - Contact recorded as owner of the allocation.
    type: str
  state:
    description:
      - Whether the address is allocated to the host or released to the pool.
    type: str
    choices: [allocated, released]
    default: allocated
author:
  - Network Operations (@fintech-netops)
"""

EXAMPLES = r"""
- name: Allocate the next free address for a new app server
  fintech.netops.ipam_address:
    fqdn: app-12.prod.fintech.internal
    subnet: 10.42.0.0/22
    owner_email: platform@fintech.example
  register: alloc

- name: Give the address of a decommissioned host back
  fintech.netops.ipam_address:
    fqdn: batch-01.fintech.internal
    subnet: 10.42.12.0/24
    state: released
"""

RETURN = r"""
address:
  description: The allocated address.
  returned: when state is allocated
  type: str
  sample: 10.42.1.37
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            fqdn=dict(type='str', required=True, aliases=['hostname']),
            subnet=dict(type='str', required=True),
            address=dict(type='str'),
            ttl_seconds=dict(type='int', default=3600),
            create_ptr=dict(type='bool', default=True),
            owner_email=dict(type='str'),
            state=dict(type='str', choices=['allocated', 'released'], default='allocated'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
