#!/usr/bin/python
# -*- coding: utf-8 -*-
# Kestrel Health Pathology Integration. Internal module.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: hl7_interface
short_description: Manage an HL7 v2 interface channel on the lab integration engine
description:
  - Creates, changes, starts, stops or deletes an HL7 v2 channel on the pathology
    interface engine. A channel is either inbound (the engine listens on I(listen_port)
    and receives messages, typically ADT and orders from the PAS/EPR) or outbound
    (the engine connects to I(remote_host):I(remote_port) and sends messages, typically
    results to GP systems and the EPR).
  - All channels use MLLP framing. TLS is optional and needs the engine certificate to
    be trusted by the other side.
  - C(present) makes sure the channel exists with the given settings but does not change
    whether it is running. C(started) and C(stopped) also create the channel if missing.
  - Deleting a channel discards any messages still queued on it. Drain the queue first
    with M(kestrelhealth.labint.message_queue) if the messages matter.
options:
  name:
    description:
      - Channel name. By convention C(<MSGTYPE>_TO_<SYSTEM>) or C(<MSGTYPE>_FROM_<SYSTEM>),
        but any name unique on the engine is accepted.
    type: str
    required: true
    aliases: [channel]
  direction:
    description:
      - Whether the engine receives (C(inbound)) or sends (C(outbound)) on this channel.
        Cannot be changed on an existing channel.
    type: str
    required: true
    choices: [inbound, outbound]
  listen_port:
    description:
      - TCP port the engine listens on. Inbound channels only.
    type: int
  remote_host:
    description:
      - Host to send to. Outbound channels only.
    type: str
  remote_port:
    description:
      - Port on I(remote_host). Outbound channels only.
    type: int
  hl7_version:
    description:
      - HL7 version written into MSH-12 and used for parsing.
    type: str
    choices: ['2.3', '2.3.1', '2.4', '2.5.1']
    default: '2.5.1'
  message_types:
    description:
      - Message types accepted or sent, in C(TYPE^EVENT) form, for example C(ORU^R01).
        Messages of other types are rejected with an AR acknowledgement.
    type: list
    elements: str
  ack_mode:
    description:
      - Acknowledgement mode. C(original) sends/expects one application ACK, C(enhanced)
        uses accept and application acknowledgements, C(none) does not wait for an ACK.
    type: str
    choices: [original, enhanced, none]
    default: original
  ack_timeout_s:
    description:
      - How long to wait for an acknowledgement before the message is retried, in seconds.
    type: int
    default: 30
  use_tls:
    description:
      - Wrap the MLLP connection in TLS.
    type: bool
    default: false
  state:
    description:
      - Desired state of the channel.
    type: str
    choices: [present, absent, started, stopped]
    default: present
author:
  - Pathology Integration Team
"""

EXAMPLES = r"""
- name: Results to the EPR
  kestrelhealth.labint.hl7_interface:
    name: ORU_TO_EPR
    direction: outbound
    remote_host: epr-hl7.kestrel.nhs.local
    remote_port: 6670
    message_types: ["ORU^R01"]
    state: started

- name: Orders in from the EPR, HL7 2.4
  kestrelhealth.labint.hl7_interface:
    name: ORM_FROM_EPR
    direction: inbound
    listen_port: 6662
    hl7_version: '2.4'
    message_types: ["ORM^O01"]
"""

RETURN = r"""
channel_id:
  description: Engine identifier of the channel.
  returned: when state is not absent
  type: str
  sample: 3f1c9a2e-77d0-4a51-9b8e-1f2d0c6a11e4
running:
  description: Whether the channel is running after the task.
  returned: when state is not absent
  type: bool
  sample: true
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True, aliases=['channel']),
            direction=dict(type='str', required=True, choices=['inbound', 'outbound']),
            listen_port=dict(type='int'),
            remote_host=dict(type='str'),
            remote_port=dict(type='int'),
            hl7_version=dict(type='str', choices=['2.3', '2.3.1', '2.4', '2.5.1'], default='2.5.1'),
            message_types=dict(type='list', elements='str'),
            ack_mode=dict(type='str', choices=['original', 'enhanced', 'none'], default='original'),
            ack_timeout_s=dict(type='int', default=30),
            use_tls=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent', 'started', 'stopped'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=False)


if __name__ == '__main__':
    main()
