#!/usr/bin/python
# -*- coding: utf-8 -*-
# Kestrel Health Pathology Integration. Internal module.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: message_queue
short_description: Control the message queue of an interface channel
description:
  - Pause or resume delivery on a channel's queue, throw queued messages away, or send them again.
  - Pausing the queue is not the same as stopping the channel. A paused inbound channel still
    accepts and ACKs messages, it just does not process them until resumed.
  - C(purged) and C(replayed) act on the messages selected by I(message_status) (and I(since)
    for replays), then leave the queue running. Both always report changed.
options:
  interface:
    description: Channel name.
    type: str
    required: true
  state:
    description: What to do with the queue.
    type: str
    choices: [running, paused, purged, replayed]
    default: running
  message_status:
    description: Which messages C(purged) or C(replayed) act on.
    type: str
    choices: [errored, queued, all]
    default: errored
  since:
    description: For C(replayed), only messages received at or after this time (ISO 8601).
    type: str
  max_retries:
    description: Delivery attempts before a message is marked errored.
    type: int
    default: 3
  retry_interval_s:
    description: Seconds between delivery attempts.
    type: int
    default: 60
  alert_recipients:
    description: Email addresses told when a message ends up errored.
    type: list
    elements: str
author:
  - Pathology Integration Team
"""

EXAMPLES = r"""
- name: Hold ADT while the PAS is down
  kestrelhealth.labint.message_queue:
    interface: ADT_FROM_PAS
    state: paused

- name: Resend everything that failed overnight
  kestrelhealth.labint.message_queue:
    interface: ORU_TO_EPR
    state: replayed
    since: "2024-09-11T22:00:00Z"
"""

RETURN = r"""
affected:
  description: Number of messages purged or replayed.
  returned: when state is purged or replayed
  type: int
  sample: 42
depth:
  description: Messages waiting in the queue after the task.
  returned: always
  type: int
  sample: 0
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            interface=dict(type='str', required=True),
            state=dict(type='str', choices=['running', 'paused', 'purged', 'replayed'], default='running'),
            message_status=dict(type='str', choices=['errored', 'queued', 'all'], default='errored'),
            since=dict(type='str'),
            max_retries=dict(type='int', default=3),
            retry_interval_s=dict(type='int', default=60),
            alert_recipients=dict(type='list', elements='str'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=False)


if __name__ == '__main__':
    main()
