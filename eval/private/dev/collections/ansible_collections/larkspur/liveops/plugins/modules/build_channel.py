#!/usr/bin/python
# -*- coding: utf-8 -*-
# Larkspur Games - Live Ops Backend. Internal use only.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: build_channel
short_description: Manage client build channels (live, beta, qa, ...) per platform
description:
  - A build channel decides which client build a player on a given platform is offered
    by the patcher. Typical channels are C(live), C(ptr), C(beta) and C(qa).
  - Set O(rollout_percent) below 100 to stage a build; the remaining players stay on the
    previous build of the channel.
  - A C(locked) channel keeps its current build and refuses any build change until it is
    set back to C(present). Release managers lock C(live) during tournaments.
options:
  channel:
    description: Channel name.
    type: str
    required: true
    aliases: [name]
  platform:
    description: Target platform. One channel entry exists per platform.
    type: str
    required: true
    choices: [pc, ps5, xbox, switch, ios, android]
  build_id:
    description:
      - Build to publish on the channel, as produced by the build farm, for example C(2024.11.3-r88412).
      - Leave out to keep the current build.
    type: str
  rollout_percent:
    description: Share of players on the channel that get O(build_id).
    type: int
    default: 100
  min_client_version:
    description: Clients older than this are forced to patch before they can log in.
    type: str
  force_update:
    description: Kick players running an older build at their next match end.
    type: bool
    default: false
  tester_groups:
    description:
      - Only members of these groups can see the channel. Used for C(qa) and closed betas.
      - Leave empty for a public channel.
    type: list
    elements: str
  state:
    description: Whether the channel exists, and whether it is locked.
    type: str
    choices: [present, absent, locked]
    default: present
author:
  - Live Ops Backend (@larkspur-liveops)
"""

EXAMPLES = r"""
- name: Stage a build on PC beta to 25 percent
  larkspur.liveops.build_channel:
    channel: beta
    platform: pc
    build_id: 2024.11.3-r88412
    rollout_percent: 25

- name: Private QA channel on Switch
  larkspur.liveops.build_channel:
    channel: qa-switch
    platform: switch
    tester_groups:
      - qa-core
      - cert-nintendo

- name: Lock live on PS5 during the finals
  larkspur.liveops.build_channel:
    channel: live
    platform: ps5
    state: locked
"""

RETURN = r"""
current_build:
  description: Build served to the majority of the channel after the change.
  returned: when state is present or locked
  type: str
  sample: 2024.11.3-r88412
previous_build:
  description: Build that was live on the channel before the change.
  returned: when the build changed
  type: str
  sample: 2024.11.2-r88001
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            channel=dict(type='str', required=True, aliases=['name']),
            platform=dict(type='str', required=True, choices=['pc', 'ps5', 'xbox', 'switch', 'ios', 'android']),
            build_id=dict(type='str'),
            rollout_percent=dict(type='int', default=100),
            min_client_version=dict(type='str'),
            force_update=dict(type='bool', default=False),
            tester_groups=dict(type='list', elements='str'),
            state=dict(type='str', choices=['present', 'absent', 'locked'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
