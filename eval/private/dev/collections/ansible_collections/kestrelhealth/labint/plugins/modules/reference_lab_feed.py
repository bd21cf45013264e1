#!/usr/bin/python
# -*- coding: utf-8 -*-
# Kestrel Health Pathology Integration. Internal module.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: reference_lab_feed
short_description: SFTP file exchange with an external reference laboratory
description:
  - Sets up the file-based exchange with a reference lab that we send referred samples to.
    Request files (HL7 ORM) are pushed to the lab's SFTP server and result files (HL7 ORU)
    are pulled back and fed into the result inbound channel.
  - Files are matched with I(file_pattern) on the remote side. Copies of every file sent or
    received are kept locally for I(archive_days) days for audit.
  - A C(disabled) feed keeps its settings and credentials but nothing is sent or polled.
options:
  lab:
    description: Short name of the reference lab, used in file names and audit logs.
    type: str
    required: true
    aliases: [lab_name]
  sftp_host:
    description: Hostname or IP of the lab's SFTP server.
    type: str
    required: true
  sftp_port:
    description: SFTP port.
    type: int
    default: 22
  sftp_user:
    description: SFTP username we were given by the lab.
    type: str
  sftp_password:
    description:
      - Password for I(sftp_user). Take it from the vault, never write it in plain text.
      - Not needed when the lab has our SSH key.
    type: str
    no_log: true
  remote_dir:
    description: Directory on the SFTP server.
    type: str
    default: /outbound
  direction:
    description: C(send) only pushes requests, C(receive) only pulls results, C(both) does both.
    type: str
    choices: [send, receive, both]
    default: both
  poll_interval_min:
    description: Minutes between polls of the remote directory.
    type: int
    default: 15
  file_pattern:
    description: Glob for files to pick up.
    type: str
    default: '*.hl7'
  archive_days:
    description: Days to keep local copies of exchanged files.
    type: int
    default: 30
  state:
    description: Whether the feed exists and is active.
    type: str
    choices: [present, absent, disabled]
    default: present
author:
  - Pathology Integration Team
"""

EXAMPLES = r"""
- name: Referrals to the regional virology lab
  kestrelhealth.labint.reference_lab_feed:
    lab: RVL
    sftp_host: sftp.rvl.example
    sftp_user: kestrel
    sftp_password: "{{ vault_rvl_sftp_password }}"
    remote_dir: /in/kestrel

- name: Pull results only, every 5 minutes
  kestrelhealth.labint.reference_lab_feed:
    lab: GENOMICS-HUB
    sftp_host: 10.50.9.14
    direction: receive
    poll_interval_min: 5
    file_pattern: '*.oru'
"""

RETURN = r"""
last_poll:
  description: Time of the last successful poll, ISO 8601.
  returned: when state is present
  type: str
  sample: "2024-09-12T09:15:00Z"
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            lab=dict(type='str', required=True, aliases=['lab_name']),
            sftp_host=dict(type='str', required=True),
            sftp_port=dict(type='int', default=22),
            sftp_user=dict(type='str'),
            sftp_password=dict(type='str', no_log=True),
            remote_dir=dict(type='str', default='/outbound'),
            direction=dict(type='str', choices=['send', 'receive', 'both'], default='both'),
            poll_interval_min=dict(type='int', default=15),
            file_pattern=dict(type='str', default='*.hl7'),
            archive_days=dict(type='int', default=30),
            state=dict(type='str', choices=['present', 'absent', 'disabled'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=False)


if __name__ == '__main__':
    main()
