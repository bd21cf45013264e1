#!/usr/bin/python
# -*- coding: utf-8 -*-
# Larkspur Games - Live Ops Backend. Internal use only.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: live_event
short_description: Schedule time-limited in-game events
description:
  - Schedules a live event (double XP weekend, limited playlist, holiday event) or cancels one.
options:
  name:
    description: Event slug.
    type: str
    required: true
  starts_at:
    description: Start time in UTC, formatted C(YYYY-MM-DD HH:MM).
    type: str
    required: true
  duration_h:
    description: Event length in hours.
    type: int
    default: 48
  xp_multiplier:
    description: XP multiplier while the event runs. C(1.0) means no bonus.
    type: float
    default: 1.0
  playlist:
    description: Limited-time playlist enabled for the event.
    type: str
  regions:
    description: Regions where the event runs. All regions when omitted.
    type: list
    elements: str
  state:
    description: C(cancelled) removes the event from the calendar and ends it if it is running.
    type: str
    choices: [scheduled, cancelled]
    default: scheduled
author:
  - Live Ops Backend (@larkspur-liveops)
"""

EXAMPLES = r"""
- name: Double XP weekend
  larkspur.liveops.live_event:
    name: dxp-nov
    starts_at: "2024-11-22 17:00"
    duration_h: 72
    xp_multiplier: 2.0

- name: Snowball playlist, EU and NA only
  larkspur.liveops.live_event:
    name: winter-brawl
    starts_at: "2024-12-20 12:00"
    playlist: snowball-ffa
    regions: [eu-central, na-east, na-west]
"""

RETURN = r"""
event_id:
  description: Calendar id of the event.
  returned: success
  type: str
  sample: ev-3391
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            starts_at=dict(type='str', required=True),
            duration_h=dict(type='int', default=48),
            xp_multiplier=dict(type='float', default=1.0),
            playlist=dict(type='str'),
            regions=dict(type='list', elements='str'),
            state=dict(type='str', choices=['scheduled', 'cancelled'], default='scheduled'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
