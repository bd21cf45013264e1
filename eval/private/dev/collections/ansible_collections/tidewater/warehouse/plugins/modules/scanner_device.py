#!/usr/bin/python
# -*- coding: utf-8 -*-
# Tidewater Logistics - Warehouse Systems. Internal, do not publish.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: scanner_device
short_description: Enrol, retire or wipe handheld scanners
description:
  - Handheld RF scanners (Zebra TC5x / MC33) are managed through the device management service.
  - C(enrolled) - device is registered and gets the WMS app and config.
  - C(retired) - device is removed from the fleet; its licence is freed.
  - C(wiped) - remote factory reset, then retired. Use before a device goes back to the lessor.
  - C(lost) - device is locked, flagged as lost and its last known location is kept.
options:
  serial:
    description: Device serial number, from the label under the battery.
    type: str
    required: true
    aliases: [serial_number]
  state:
    description: See above.
    type: str
    choices: [enrolled, retired, wiped, lost]
    default: enrolled
  site:
    description: Site the device is based at.
    type: str
    choices: [leeds, daventry, bristol, felixstowe]
  assigned_zone:
    description: Pick zone the device is assigned to. Tasks from other zones are not shown on it.
    type: str
  operator:
    description: Username of the operator the device is issued to.
    type: str
  firmware_channel:
    description: Firmware update ring. C(pinned) means never update automatically.
    type: str
    choices: [stable, beta, pinned]
    default: stable
  idle_lock_min:
    description: Minutes of inactivity before the device locks.
    type: int
    default: 5
  allowed_apps:
    description: Package names of extra apps allowed in kiosk mode, besides the WMS app.
    type: list
    elements: str
author:
  - Warehouse Systems (wms-team@tidewater-logistics.example)
"""

EXAMPLES = r"""
- name: New scanner for the chilled zone at Leeds
  tidewater.warehouse.scanner_device:
    serial: 21344B0051
    site: leeds
    assigned_zone: CHILL-1

- name: Return to lessor
  tidewater.warehouse.scanner_device:
    serial: 19KX55002
    state: wiped
"""

RETURN = r"""
device_id:
  description: Device management identifier.
  returned: success
  type: str
  sample: dev-7c21e0
last_seen:
  description: Last check-in time of the device, ISO 8601.
  returned: success
  type: str
  sample: "2024-09-11T17:42:10Z"
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            serial=dict(type='str', required=True, aliases=['serial_number']),
            state=dict(type='str', choices=['enrolled', 'retired', 'wiped', 'lost'], default='enrolled'),
            site=dict(type='str', choices=['leeds', 'daventry', 'bristol', 'felixstowe']),
            assigned_zone=dict(type='str'),
            operator=dict(type='str'),
            firmware_channel=dict(type='str', choices=['stable', 'beta', 'pinned'], default='stable'),
            idle_lock_min=dict(type='int', default=5),
            allowed_apps=dict(type='list', elements='str'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=False)


if __name__ == '__main__':
    main()
