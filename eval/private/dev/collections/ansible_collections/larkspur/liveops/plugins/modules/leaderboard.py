#!/usr/bin/python
# -*- coding: utf-8 -*-
# Larkspur Games - Live Ops Backend. Internal use only.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: leaderboard
short_description: Leaderboard definitions
description:
  - Defines a leaderboard in the stats service.
  - C(frozen) keeps the board visible but rejects new scores.
options:
  name:
    description: Board key used by the game client.
    type: str
    required: true
    aliases: [board]
  title:
    description: Display title shown in game.
    type: str
  sort_order:
    description: C(descending) for high scores, C(ascending) for best times.
    type: str
    choices: [descending, ascending]
    default: descending
  reset_schedule:
    description: When the board is wiped.
    type: str
    choices: [never, daily, weekly, monthly, season]
    default: never
  max_entries:
    description: Ranked rows kept.
    type: int
    default: 1000
  platforms:
    description: Platforms whose players are ranked. Empty means all.
    type: list
    elements: str
    choices: [pc, ps5, xbox, switch, mobile]
  state:
    type: str
    description: Desired state.
    choices: [present, absent, frozen]
    default: present
author:
  - Live Ops Backend (@larkspur-liveops)
"""

EXAMPLES = r"""
- name: Weekly time-trial board
  larkspur.liveops.leaderboard:
    name: tt_canyon_weekly
    title: Canyon Time Trial
    sort_order: ascending
    reset_schedule: weekly

- name: Freeze season 4 board
  larkspur.liveops.leaderboard:
    name: s4_ranked
    state: frozen
"""

RETURN = r"""
board_id:
  description: Numeric id in the stats service.
  returned: success
  type: int
  sample: 4412
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True, aliases=['board']),
            title=dict(type='str'),
            sort_order=dict(type='str', choices=['descending', 'ascending'], default='descending'),
            reset_schedule=dict(type='str', choices=['never', 'daily', 'weekly', 'monthly', 'season'], default='never'),
            max_entries=dict(type='int', default=1000),
            platforms=dict(type='list', elements='str', choices=['pc', 'ps5', 'xbox', 'switch', 'mobile']),
            state=dict(type='str', choices=['present', 'absent', 'frozen'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
