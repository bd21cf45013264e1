#!/usr/bin/python
# -*- coding: utf-8 -*-
# Larkspur Games - Live Ops Backend. Internal use only.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: matchmaking_pool
short_description: Manage matchmaking pools in the Larkspur matchmaker
description:
  - Creates, updates, pauses or deletes a matchmaking pool.
  - A pool groups players queued for the same game mode in the same region. The matchmaker
    only forms matches from players inside one pool.
  - Pausing a pool stops new tickets from being accepted but lets the matches already being
    formed finish. Use this before maintenance instead of deleting the pool.
options:
  name:
    description:
      - Pool identifier, for example C(ranked-5v5-euc).
      - Must be unique across all regions.
    type: str
    required: true
    aliases: [pool]
  game_mode:
    description: Game mode served by the pool.
    type: str
    required: true
    choices: [ranked, casual, custom, tournament]
  region:
    description: Data-centre region the pool runs in.
    type: str
    choices: [na-east, na-west, eu-central, ap-northeast, sa-east]
    default: na-east
  min_players:
    description: Smallest number of players a match can start with.
    type: int
    default: 2
  max_players:
    description: Upper limit of players per match.
    type: int
    default: 10
  skill_spread:
    description:
      - Largest MMR gap allowed between the best and worst rated player in a match.
      - Higher values give faster queues and less fair games.
    type: int
    default: 200
  queue_timeout_s:
    description: How long a ticket waits in the queue before the player is told no match was found, in seconds.
    type: int
    default: 120
  crossplay:
    description: Let console and PC players be matched together.
    type: bool
    default: true
  backfill:
    description: Allow the matchmaker to add players to matches that are already running when someone leaves.
    type: bool
    default: false
  state:
    description:
      - C(present) makes sure the pool exists and accepts tickets.
      - C(paused) keeps the pool but stops accepting tickets.
      - C(absent) removes it.
    type: str
    choices: [present, absent, paused]
    default: present
author:
  - Live Ops Backend (@larkspur-liveops)
"""

EXAMPLES = r"""
- name: Ranked 5v5 pool in Frankfurt
  larkspur.liveops.matchmaking_pool:
    name: ranked-5v5-euc
    game_mode: ranked
    region: eu-central
    min_players: 10
    max_players: 10
    skill_spread: 150
    crossplay: false

- name: Pause casual pool before the patch
  larkspur.liveops.matchmaking_pool:
    name: casual-na
    game_mode: casual
    state: paused
"""

RETURN = r"""
pool:
  description: The pool as stored by the matchmaker.
  returned: when state is present or paused
  type: dict
  sample: {"name": "ranked-5v5-euc", "game_mode": "ranked", "region": "eu-central", "accepting": true}
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True, aliases=['pool']),
            game_mode=dict(type='str', required=True, choices=['ranked', 'casual', 'custom', 'tournament']),
            region=dict(type='str', choices=['na-east', 'na-west', 'eu-central', 'ap-northeast', 'sa-east'], default='na-east'),
            min_players=dict(type='int', default=2),
            max_players=dict(type='int', default=10),
            skill_spread=dict(type='int', default=200),
            queue_timeout_s=dict(type='int', default=120),
            crossplay=dict(type='bool', default=True),
            backfill=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent', 'paused'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
