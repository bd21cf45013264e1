#!/usr/bin/python
# -*- coding: utf-8 -*-
# Tidewater Logistics - Warehouse Systems. Internal, do not publish.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: dock_appointment
short_description: Book or cancel a dock door slot
description:
  - Creates, updates or cancels an appointment in the yard and dock scheduler.
  - An appointment is identified by the dock door and its start time.
options:
  dock:
    description: Dock door, e.g. C(D07).
    type: str
    required: true
  start:
    description: Start of the slot, ISO 8601 in UTC, e.g. C(2024-09-12T06:00:00Z).
    type: str
    required: true
  warehouse:
    description: Warehouse code. Defaults to the site of the scheduler instance.
    type: str
  duration_min:
    description: Length of the slot in minutes.
    type: int
    default: 60
  direction:
    description: Inbound delivery or outbound collection.
    type: str
    choices: [inbound, outbound]
    default: inbound
  carrier:
    description: Haulier or carrier name.
    type: str
  trailer_id:
    description: Trailer or container number.
    type: str
  hazmat:
    description: Load includes dangerous goods. Only doors with a spill kit are allowed.
    type: bool
    default: false
  state:
    description: C(absent) cancels the appointment.
    type: str
    choices: [present, absent]
    default: present
author:
  - Warehouse Systems (wms-team@tidewater-logistics.example)
"""

EXAMPLES = r"""
- tidewater.warehouse.dock_appointment:
    dock: D02
    warehouse: FXT1
    start: "2024-09-20T05:30:00Z"
    duration_min: 45
    carrier: Maersk
    trailer_id: MSKU7781230

- tidewater.warehouse.dock_appointment:
    dock: D02
    start: "2024-09-20T05:30:00Z"
    state: absent
"""

RETURN = r"""
appointment_id:
  description: Scheduler reference for the booking.
  returned: when state is present
  type: str
  sample: APT-240920-0142
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dock=dict(type='str', required=True),
            start=dict(type='str', required=True),
            warehouse=dict(type='str'),
            duration_min=dict(type='int', default=60),
            direction=dict(type='str', choices=['inbound', 'outbound'], default='inbound'),
            carrier=dict(type='str'),
            trailer_id=dict(type='str'),
            hazmat=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=False)


if __name__ == '__main__':
    main()
