#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: dns_record
short_description: Manage a record in the internal DNS service
description:
  - Creates, updates or deletes one record in a zone of the company's internal DNS (corp.internal zones served by the platform DNS API).
options:
  zone:
    description: The zone, e.g. C(corp.internal) or C(svc.corp.internal).
    type: str
    required: true
  record:
    description: Record name inside the zone, e.g. C(grafana) for grafana.corp.internal.
    type: str
    required: true
  type:
    description: Record type.
    type: str
    required: true
    choices: [A, AAAA, CNAME, TXT, MX, SRV]
  value:
    description: Record value (address, target name or text). Required with O(state=present).
    type: str
  ttl:
    description: Time to live in seconds.
    type: int
    default: 300
  state:
    description: Whether the record exists.
    type: str
    choices: [present, absent]
    default: present
author:
  - Platform team
"""

EXAMPLES = r"""
- name: Point grafana.corp.internal at the monitoring host
  corp.platform.dns_record:
    zone: corp.internal
    record: grafana
    type: A
    value: 10.20.0.15

- name: Remove the old wiki alias
  corp.platform.dns_record:
    zone: corp.internal
    record: wiki-old
    type: CNAME
    state: absent
"""

RETURN = r"""
changed:
  description: Whether anything changed.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec={'zone': {'type': 'str', 'required': True}, 'record': {'type': 'str', 'required': True}, 'type': {'type': 'str', 'required': True, 'choices': ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV']}, 'value': {'type': 'str'}, 'ttl': {'type': 'int', 'default': 300}, 'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
