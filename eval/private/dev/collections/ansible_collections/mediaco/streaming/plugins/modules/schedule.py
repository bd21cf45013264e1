#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the MediaCo Video Platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: schedule
short_description: Manage playout slots in a linear channel's schedule
description:
  - Adds or removes a slot in the playout schedule (EPG) of a linear channel.
  - A slot plays one asset from the media library at a given time.
options:
  channel:
    description: Name of the linear channel.
    type: str
    required: true
    aliases: [channel_name]
  asset_id:
    description: Library identifier of the asset to play, for example C(ast-20931).
    type: str
    required: true
  start_at:
    description: Start of the slot, ISO 8601 in UTC (C(2024-05-01T20:00:00Z)).
    type: str
  duration_min:
    description: Length of the slot in minutes. Defaults to the asset's length.
    type: int
  slot_type:
    description: Kind of slot.
    type: str
    choices: [program, live, ad_break, filler]
    default: program
  repeat_daily:
    description: Whether the slot repeats every day at the same time.
    type: bool
    default: false
  state:
    description: Whether the slot is in the schedule.
    type: str
    choices: [present, absent]
    default: present
author:
  - MediaCo Video Platform Team
"""

EXAMPLES = r"""
- name: Evening movie on the classics channel
  mediaco.streaming.schedule:
    channel: classics
    asset_id: ast-20931
    start_at: "2024-05-01T20:00:00Z"
    duration_min: 110

- name: Daily filler loop at 4am
  mediaco.streaming.schedule:
    channel: kids
    asset_id: ast-00412
    start_at: "2024-05-01T04:00:00Z"
    slot_type: filler
    repeat_daily: true
"""

RETURN = r"""
slot_id:
  description: Identifier of the playout slot.
  returned: when state is present
  type: str
  sample: slot-5521
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            channel=dict(type='str', required=True, aliases=['channel_name']),
            asset_id=dict(type='str', required=True),
            start_at=dict(type='str'),
            duration_min=dict(type='int'),
            slot_type=dict(type='str', choices=['program', 'live', 'ad_break', 'filler'], default='program'),
            repeat_daily=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
