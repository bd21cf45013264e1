#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the data platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: scheduled_job
short_description: Manage a job on the central job scheduler
description:
- Registers, changes or removes a recurring job on the central scheduler that runs commands on the fleet.
options:
  name:
    description: Job name.
    type: str
    required: true
  command:
    description: Command the job runs.
    type: str
  schedule:
    description: When the job runs, as a cron expression.
    type: str
    default: '@daily'
  timezone:
    description: Time zone of the schedule.
    type: str
    default: UTC
  enabled:
    description: Whether the job runs.
    type: bool
    default: true
  state:
    description: Whether the job exists.
    type: str
    choices:
    - present
    - absent
    default: present
author:
- Data platform team
"""

EXAMPLES = r"""
- name: Run the nightly export
  devteam.data.scheduled_job:
    name: nightly-export
    command: /opt/export/bin/run
    schedule: 30 2 * * *
- name: Pause the export
  devteam.data.scheduled_job:
    name: nightly-export
    enabled: false
"""

RETURN = r"""
changed:
  description: Whether anything changed.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec={'name': {'type': 'str', 'required': True}, 'command': {'type': 'str'}, 'schedule': {'type': 'str', 'default': '@daily'}, 'timezone': {'type': 'str', 'default': 'UTC'}, 'enabled': {'type': 'bool', 'default': True}, 'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'}}, supports_check_mode=True)
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
