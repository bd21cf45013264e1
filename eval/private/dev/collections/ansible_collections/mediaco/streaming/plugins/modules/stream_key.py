#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the MediaCo Video Platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: stream_key
short_description: Issue, rotate or revoke RTMP/SRT ingest keys for live channels
description:
  - Manages the ingest key an encoder uses to push a live feed to a channel.
  - With I(state=rotated) a new key is generated and the old one keeps working for I(grace_minutes).
options:
  channel_id:
    description: Identifier of the live channel, for example C(ch-news-24).
    type: str
    required: true
    aliases: [channel]
  state:
    description:
      - C(present) makes sure a key exists, C(rotated) always issues a new one, C(revoked) disables every key of the channel.
    type: str
    choices: [present, rotated, revoked]
    default: present
  grace_minutes:
    description: Minutes the previous key stays valid after a rotation.
    type: int
    default: 15
  key_value:
    description: Use this key instead of a generated one.
    type: str
  protocol:
    description: Ingest protocol the key is valid for.
    type: str
    choices: [rtmp, srt]
    default: rtmp
  notify:
    description: E-mail addresses that receive the new key.
    type: list
    elements: str
author:
  - MediaCo Video Platform Team
"""

EXAMPLES = r"""
- name: Rotate the news channel key, keep the old one for 30 minutes
  mediaco.streaming.stream_key:
    channel_id: ch-news-24
    state: rotated
    grace_minutes: 30
    notify:
      - newsdesk-ops@mediaco.example

- name: Kill the key of a compromised channel
  mediaco.streaming.stream_key:
    channel_id: ch-sports-2
    state: revoked
"""

RETURN = r"""
key_fingerprint:
  description: SHA-256 fingerprint of the active key (never the key itself).
  returned: when state is present or rotated
  type: str
  sample: 9c:1e:44:...
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            channel_id=dict(type='str', required=True, aliases=['channel']),
            state=dict(type='str', choices=['present', 'rotated', 'revoked'], default='present'),
            grace_minutes=dict(type='int', default=15),
            key_value=dict(type='str', no_log=True),
            protocol=dict(type='str', choices=['rtmp', 'srt'], default='rtmp'),
            notify=dict(type='list', elements='str'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
