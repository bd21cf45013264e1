#!/usr/bin/python
# -*- coding: utf-8 -*-
# Larkspur Games - Live Ops Backend. Internal use only.
# Owned jointly with Player Support; ping #trust-safety before changing defaults.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: player_ban
short_description: Ban or unban a player account
description:
  - Places a sanction on a player account, or lifts one.
  - Every ban is written to the trust and safety audit log together with O(reason) and O(note).
options:
  player_id:
    description: Larkspur account id (the C(LK-) number shown in support tools).
    type: str
    required: true
    aliases: [account_id]
  reason:
    description: Category of the offence. Required by the audit log when banning.
    type: str
    choices: [cheating, toxicity, exploit, chargeback, other]
  note:
    description: Free text for the audit log, such as a ticket number.
    type: str
  duration_h:
    description: Length of the ban in hours. C(0) means permanent.
    type: int
    default: 0
  scope:
    description:
      - What the player is locked out of.
      - C(full) blocks login, C(ranked) blocks ranked queues only, C(chat) mutes text and voice,
        C(trading) blocks the marketplace.
    type: str
    choices: [full, ranked, chat, trading]
    default: full
  notify_player:
    description: Send the standard sanction email to the player.
    type: bool
    default: true
  state:
    description: C(banned) to apply the sanction, C(lifted) to remove it.
    type: str
    choices: [banned, lifted]
    default: banned
author:
  - Live Ops Backend (@larkspur-liveops)
  - Trust & Safety tooling
"""

EXAMPLES = r"""
- name: 14 day ranked ban for boosting
  larkspur.liveops.player_ban:
    player_id: LK-20931177
    reason: exploit
    scope: ranked
    duration_h: 336
    note: TS-8812

- name: Lift a ban after a successful appeal
  larkspur.liveops.player_ban:
    player_id: LK-11820044
    state: lifted
"""

RETURN = r"""
sanction_id:
  description: Id of the sanction record.
  returned: when state is banned
  type: str
  sample: SN-00918273
expires_at:
  description: UTC time the ban ends, null for permanent bans.
  returned: when state is banned
  type: str
  sample: "2024-12-01T09:00:00Z"
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            player_id=dict(type='str', required=True, aliases=['account_id']),
            reason=dict(type='str', choices=['cheating', 'toxicity', 'exploit', 'chargeback', 'other']),
            note=dict(type='str'),
            duration_h=dict(type='int', default=0),
            scope=dict(type='str', choices=['full', 'ranked', 'chat', 'trading'], default='full'),
            notify_player=dict(type='bool', default=True),
            state=dict(type='str', choices=['banned', 'lifted'], default='banned'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
