#!/usr/bin/python
# -*- coding: utf-8 -*-
# Tidewater Logistics - Warehouse Systems. Internal, do not publish.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pick_list_purge
short_description: Purge old pick lists from the WMS
description:
  - Deletes pick lists that are finished with, so the pick list tables and the handheld
    task screens stay fast.
  - By default only completed and cancelled lists older than 48 hours are purged, and each
    list is copied to the archive bucket first.
  - In-progress lists are only purged if C(in_progress) is given in I(status). Don't do that
    during a shift.
  - Not idempotent in the usual sense; reports C(changed) when anything was purged.
options:
  warehouse:
    description: Warehouse code, e.g. C(LDS1).
    type: str
    required: true
  zones:
    description: Only purge lists for these pick zones. All zones when not set.
    type: list
    elements: str
  older_than_h:
    description: Only purge lists last touched more than this many hours ago.
    type: int
    default: 48
  status:
    description: Which pick list statuses to purge.
    type: list
    elements: str
    choices: [completed, cancelled, abandoned, in_progress]
    default: [completed, cancelled]
  archive:
    description: Copy each list to the archive bucket before deleting it.
    type: bool
    default: true
  dry_run:
    description: Only count what would be purged.
    type: bool
    default: false
author:
  - Warehouse Systems (wms-team@tidewater-logistics.example)
"""

EXAMPLES = r"""
- name: Weekly purge at Daventry
  tidewater.warehouse.pick_list_purge:
    warehouse: DAV2
    older_than_h: 168

- name: See how many abandoned lists zone C has
  tidewater.warehouse.pick_list_purge:
    warehouse: LDS1
    zones: [C]
    status: [abandoned]
    dry_run: true
"""

RETURN = r"""
purged:
  description: Number of pick lists purged, or that would be purged in a dry run.
  returned: always
  type: int
  sample: 1187
archive_path:
  description: Where the archived lists were written.
  returned: when archive is true and something was purged
  type: str
  sample: s3://tw-wms-archive/LDS1/picklists/2024-09-12/
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            warehouse=dict(type='str', required=True),
            zones=dict(type='list', elements='str'),
            older_than_h=dict(type='int', default=48),
            status=dict(type='list', elements='str',
                        choices=['completed', 'cancelled', 'abandoned', 'in_progress'],
                        default=['completed', 'cancelled']),
            archive=dict(type='bool', default=True),
            dry_run=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=False)


if __name__ == '__main__':
    main()
