#!/usr/bin/python
# -*- coding: utf-8 -*-
# RetailCo Application Support - internal use only
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: batch_job
short_description: Manage a scheduled job on the Jobrunner batch platform
description:
  - Creates, updates, pauses or deletes a recurring job on Jobrunner, the team's
    central batch scheduler that replaced per-host crontabs.
  - The job runs on a worker of the chosen runner pool, not on the managed host.
options:
  job_name:
    description:
      - Unique name of the job in Jobrunner.
    type: str
    required: true
    aliases: [name]
  command:
    description:
      - Command line the worker runs.
    type: str
  schedule:
    description:
      - When the job runs, as a five-field cron expression.
    type: str
  runner_pool:
    description:
      - Pool of workers the job runs on.
    type: str
    choices: [default, nightly, highmem]
    default: default
  timeout_minutes:
    description:
      - Run time after which a run is killed and marked failed.
    type: int
    default: 60
  owner_email:
    description:
      - Address that gets the failure notifications of the job.
    type: str
  paused:
    description:
      - Whether the schedule is paused. A paused job keeps its definition but does not run.
    type: bool
    default: false
  state:
    description:
      - Whether the job exists.
    type: str
    choices: [present, absent]
    default: present
author:
  - RetailCo Application Support
"""

EXAMPLES = r"""
- name: Nightly stock reconciliation
  retailco.appsupport.batch_job:
    job_name: stock-reconcile
    command: /opt/batch/bin/reconcile --all-stores
    schedule: "30 1 * * *"
    runner_pool: nightly
    owner_email: stock-team@retailco.example

- name: Pause the price sync while the supplier feed is down
  retailco.appsupport.batch_job:
    job_name: price-sync
    paused: true
"""

RETURN = r"""
next_run:
  description: Time of the next scheduled run, in UTC.
  returned: when the job exists and is not paused
  type: str
  sample: "2024-06-02T01:30:00Z"
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec={
            'job_name': {'type': 'str', 'required': True, 'aliases': ['name']},
            'command': {'type': 'str'},
            'schedule': {'type': 'str'},
            'runner_pool': {'type': 'str', 'choices': ['default', 'nightly', 'highmem'], 'default': 'default'},
            'timeout_minutes': {'type': 'int', 'default': 60},
            'owner_email': {'type': 'str'},
            'paused': {'type': 'bool', 'default': False},
            'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
        },
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
