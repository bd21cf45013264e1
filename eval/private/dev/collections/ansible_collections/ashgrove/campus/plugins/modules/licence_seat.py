#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Ashgrove University IT Services
# GNU General Public License v3.0+

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: licence_seat
short_description: Allocate software licence seats to a department
description:
  - Records a block of licence seats for a software product in the university licence register
    and assigns it to a department.
  - The licence server reads the register every 15 minutes, so new seats can be checked out
    shortly after the task runs.
  - Removing an allocation returns the seats to the central pool; it does not cancel the contract
    with the vendor.
options:
  product:
    description: Product name as written in the licence register, for example C(matlab) or C(spss).
    type: str
    required: true
    aliases: [software]
  department:
    description: Department code the seats are charged to, such as C(PHYS) or C(BUS).
    type: str
    required: true
  seats:
    description: Number of concurrent seats allocated.
    type: int
    required: true
  licence_key:
    description: Vendor licence key or activation code for this allocation.
    type: str
    no_log: true
  expires_on:
    description: Last day of the allocation, C(YYYY-MM-DD). No end date when omitted.
    type: str
  home_use:
    description: Allow students and staff to check seats out from off campus over the VPN.
    type: bool
    default: false
  contact:
    description: Email of the person in the department who looks after the allocation.
    type: str
  state:
    description: Whether the allocation exists.
    type: str
    choices: [present, absent]
    default: present
author:
  - Academic Systems team
  - Software Licensing office
"""

EXAMPLES = r"""
- name: 40 SPSS seats for the business school
  ashgrove.campus.licence_seat:
    product: spss
    department: BUS
    seats: 40
    expires_on: "2026-07-31"
    contact: licensing-bus@ashgrove.ac.example

- name: Give back the physics Mathematica seats
  ashgrove.campus.licence_seat:
    product: mathematica
    department: PHYS
    seats: 25
    state: absent
"""

RETURN = r"""
allocation_id:
  description: Id of the allocation in the licence register.
  returned: when state is present
  type: str
  sample: LA-2025-0419
seats_left_in_pool:
  description: Seats of the product still unallocated after the change.
  returned: always
  type: int
  sample: 112
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            product=dict(type='str', required=True, aliases=['software']),
            department=dict(type='str', required=True),
            seats=dict(type='int', required=True),
            licence_key=dict(type='str', no_log=True),
            expires_on=dict(type='str'),
            home_use=dict(type='bool', default=False),
            contact=dict(type='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
