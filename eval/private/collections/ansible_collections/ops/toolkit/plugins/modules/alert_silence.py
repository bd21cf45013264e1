#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the SRE team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: alert_silence
short_description: Silence an alert in the alerting system for a while
description:
  - Creates a silence for one alert rule, optionally only for one host, in the company alerting system, or expires it.
options:
  alert:
    description: Name of the alert rule, e.g. C(DiskAlmostFull).
    type: str
    required: true
  instance:
    description: Only silence the alert for this host.
    type: str
  duration:
    description: How long the silence lasts, e.g. C(2h) or C(30m).
    type: str
    default: 1h
  comment:
    description: Why the alert is silenced.
    type: str
  state:
    description: V(present) creates the silence, V(absent) expires it.
    type: str
    choices: [present, absent]
    default: present
author:
  - SRE
"""

EXAMPLES = r"""
- name: Silence disk alerts on the backup host for the night
  ops.toolkit.alert_silence:
    alert: DiskAlmostFull
    instance: backup01
    duration: 8h
    comment: nightly full backup
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
        argument_spec={'alert': {'type': 'str', 'required': True}, 'instance': {'type': 'str'}, 'duration': {'type': 'str', 'default': '1h'}, 'comment': {'type': 'str'}, 'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
