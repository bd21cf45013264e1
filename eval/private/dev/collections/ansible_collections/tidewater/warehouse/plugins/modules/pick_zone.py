#!/usr/bin/python
# -*- coding: utf-8 -*-
# Tidewater Logistics - Warehouse Systems. Internal, do not publish.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pick_zone
short_description: Pick zones in a warehouse
description:
  - Manages a pick zone, i.e. a group of aisles that the WMS assigns pick tasks to as a unit.
  - A locked zone keeps its stock and settings but gets no new pick tasks. We lock zones
    for stocktakes and racking work.
options:
  name:
    description: Zone name, e.g. C(B) or C(CHILL-1). Unique within a warehouse.
    type: str
    required: true
    aliases: [zone]
  warehouse:
    description: Warehouse code, e.g. C(LDS1), C(DAV2).
    type: str
    required: true
  aisles:
    description: Aisles in the zone. Replaces the current list.
    type: list
    elements: str
  temperature:
    description: Temperature class.
    type: str
    choices: [ambient, chilled, frozen]
    default: ambient
  max_pickers:
    description: Most pickers the WMS sends into the zone at once. Unset means no limit.
    type: int
  replenish_at_pct:
    description: Raise a replenishment task when a pick face falls below this percentage of capacity.
    type: int
    default: 20
  pick_method:
    description: How pick tasks are grouped.
    type: str
    choices: [discrete, batch, wave, cluster]
    default: discrete
  state:
    description: C(locked) stops new pick tasks in the zone.
    type: str
    choices: [present, absent, locked]
    default: present
author:
  - Warehouse Systems (wms-team@tidewater-logistics.example)
"""

EXAMPLES = r"""
- name: Chilled zone at Leeds
  tidewater.warehouse.pick_zone:
    name: CHILL-1
    warehouse: LDS1
    temperature: chilled
    aisles: [C30, C31, C32]

- name: Lock zone D for the stocktake
  tidewater.warehouse.pick_zone:
    name: D
    warehouse: BRS1
    state: locked
"""

RETURN = r"""
zone_id:
  description: WMS identifier of the zone.
  returned: when state is not absent
  type: str
  sample: LDS1-Z-CHILL-1
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True, aliases=['zone']),
            warehouse=dict(type='str', required=True),
            aisles=dict(type='list', elements='str'),
            temperature=dict(type='str', choices=['ambient', 'chilled', 'frozen'], default='ambient'),
            max_pickers=dict(type='int'),
            replenish_at_pct=dict(type='int', default=20),
            pick_method=dict(type='str', choices=['discrete', 'batch', 'wave', 'cluster'], default='discrete'),
            state=dict(type='str', choices=['present', 'absent', 'locked'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=False)


if __name__ == '__main__':
    main()
