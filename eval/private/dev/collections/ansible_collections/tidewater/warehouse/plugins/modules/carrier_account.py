#!/usr/bin/python
# -*- coding: utf-8 -*-
# Tidewater Logistics - Warehouse Systems. Internal, do not publish.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: carrier_account
short_description: Shipping carrier accounts used for label generation
description:
  - Adds a carrier account to the WMS shipping service, or changes or removes one.
  - One account per carrier and account number. The same account can be used by several sites
    but only one site is set here; run the task once per site.
  - C(suspended) keeps the account but the shipping service will not book with it. Useful when billing is on hold.
options:
  carrier:
    description: Carrier.
    type: str
    required: true
    choices: [dhl_express, ups, fedex, royal_mail, dpd, evri]
  account_number:
    description: Account number as issued by the carrier. Always a string, keep leading zeros.
    type: str
    required: true
  api_key:
    description: API key or secret for the carrier's shipping API.
    type: str
    no_log: true
  site:
    description: Site that ships on this account.
    type: str
    choices: [leeds, daventry, bristol, felixstowe]
  services:
    description: Carrier service codes to enable, for example C(NEXT_DAY) or C(48H). Empty means all.
    type: list
    elements: str
  pickup_cutoff:
    description: Last collection time, C(HH:MM) site local time. Orders after this go on the next day's manifest.
    type: str
  label_format:
    description: Label format requested from the carrier.
    type: str
    choices: [zpl, pdf, png]
    default: zpl
  sandbox:
    description: Use the carrier's test endpoint.
    type: bool
    default: false
  state:
    description: Account state.
    type: str
    choices: [present, absent, suspended]
    default: present
author:
  - Warehouse Systems (wms-team@tidewater-logistics.example)
"""

EXAMPLES = r"""
- name: DHL Express for Felixstowe
  tidewater.warehouse.carrier_account:
    carrier: dhl_express
    account_number: "960012345"
    api_key: "{{ vault_dhl_api_key }}"
    site: felixstowe
    pickup_cutoff: "16:00"

- name: Evri, test endpoint only
  tidewater.warehouse.carrier_account:
    carrier: evri
    account_number: EV-77120
    sandbox: true
    services: [STANDARD, NEXT_DAY]
"""

RETURN = r"""
account_id:
  description: Shipping service identifier of the account.
  returned: success
  type: str
  sample: ca-dpd-0031
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            carrier=dict(type='str', required=True,
                         choices=['dhl_express', 'ups', 'fedex', 'royal_mail', 'dpd', 'evri']),
            account_number=dict(type='str', required=True),
            api_key=dict(type='str', no_log=True),
            site=dict(type='str', choices=['leeds', 'daventry', 'bristol', 'felixstowe']),
            services=dict(type='list', elements='str'),
            pickup_cutoff=dict(type='str'),
            label_format=dict(type='str', choices=['zpl', 'pdf', 'png'], default='zpl'),
            sandbox=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent', 'suspended'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=False)


if __name__ == '__main__':
    main()
