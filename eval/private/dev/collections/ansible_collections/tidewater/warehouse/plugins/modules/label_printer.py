#!/usr/bin/python
# -*- coding: utf-8 -*-
# Tidewater Logistics - Warehouse Systems. Internal, do not publish.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: label_printer
short_description: Manage thermal label printers in the WMS print pool
description:
  - Registers a network label printer (Zebra or Honeywell, ZPL over raw TCP) with the
    warehouse management system so that pack stations can send shipping labels to it.
  - With I(state=paused) the printer stays registered but the WMS stops routing new
    print jobs to it. Jobs already queued are kept and printed once it is set back to C(present).
  - Removing a printer moves any station that used it as a default back to the site fallback printer.
options:
  name:
    description:
      - Printer name as pack station operators see it, for example C(LDS-PACK-07).
    type: str
    required: true
    aliases: [printer_name]
  host:
    description:
      - Hostname or IP address of the printer.
    type: str
    required: true
  port:
    description:
      - Raw print port on the printer.
    type: int
    default: 9100
  site:
    description:
      - Warehouse site the printer belongs to.
    type: str
    choices: [leeds, daventry, bristol, felixstowe]
  dpi:
    description:
      - Print head resolution. Labels are rendered for this resolution, so get it right.
    type: int
    choices: [203, 300, 600]
    default: 203
  label_size:
    description:
      - Loaded label stock, width x height in inches.
    type: str
    choices: ['4x6', '4x4', '4x8', '2x1']
    default: '4x6'
  darkness:
    description:
      - Print darkness, 0 to 30. Leave unset to keep the printer's own setting.
    type: int
  station_ids:
    description:
      - Pack stations that print to this printer by default.
    type: list
    elements: str
  state:
    description:
      - C(present) registers the printer and routes jobs to it, C(paused) keeps it
        registered but routes nothing new to it, C(absent) removes it.
    type: str
    choices: [present, absent, paused]
    default: present
author:
  - Warehouse Systems (wms-team@tidewater-logistics.example)
"""

EXAMPLES = r"""
- name: Pack line printer at Leeds
  tidewater.warehouse.label_printer:
    name: LDS-PACK-01
    host: 10.12.40.21
    site: leeds
    station_ids: [PS-01, PS-02]

- name: Small returns labels, 300 dpi
  tidewater.warehouse.label_printer:
    name: DAV-RET-01
    host: prt-dav-ret01.tidewater.local
    dpi: 300
    label_size: '2x1'

- name: Take a printer out of rotation while it is serviced
  tidewater.warehouse.label_printer:
    name: LDS-PACK-04
    host: 10.12.40.24
    state: paused
"""

RETURN = r"""
printer_id:
  description: WMS identifier of the printer.
  returned: when state is present or paused
  type: str
  sample: prn-00412
stations:
  description: Pack stations whose default printer is now this one.
  returned: when state is present
  type: list
  elements: str
  sample: [PS-01, PS-02]
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True, aliases=['printer_name']),
            host=dict(type='str', required=True),
            port=dict(type='int', default=9100),
            site=dict(type='str', choices=['leeds', 'daventry', 'bristol', 'felixstowe']),
            dpi=dict(type='int', choices=[203, 300, 600], default=203),
            label_size=dict(type='str', choices=['4x6', '4x4', '4x8', '2x1'], default='4x6'),
            darkness=dict(type='int'),
            station_ids=dict(type='list', elements='str'),
            state=dict(type='str', choices=['present', 'absent', 'paused'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=False)


if __name__ == '__main__':
    main()
