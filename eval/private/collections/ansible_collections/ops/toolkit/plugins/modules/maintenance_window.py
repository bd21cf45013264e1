#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the SRE team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: maintenance_window
short_description: Open or close a maintenance window for a service
description:
  - Opens a maintenance window for a service in the ops portal; while it is open, alerts for the service are muted and the status page shows planned maintenance.
  - Closing the window unmutes the alerts.
options:
  service:
    description: Service name as listed in the ops portal, e.g. C(billing).
    type: str
    required: true
  state:
    description: V(open) starts the window now, V(closed) ends it.
    type: str
    choices: [open, closed]
    default: open
  duration_minutes:
    description: How long the window stays open before it closes by itself.
    type: int
    default: 60
  reason:
    description: What the maintenance is for; shown on the status page.
    type: str
author:
  - SRE
"""

EXAMPLES = r"""
- name: Open a two hour maintenance window for billing
  ops.toolkit.maintenance_window:
    service: billing
    duration_minutes: 120
    reason: database upgrade

- name: Close the billing maintenance window
  ops.toolkit.maintenance_window:
    service: billing
    state: closed
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
        argument_spec={'service': {'type': 'str', 'required': True}, 'state': {'type': 'str', 'choices': ['open', 'closed'], 'default': 'open'}, 'duration_minutes': {'type': 'int', 'default': 60}, 'reason': {'type': 'str'}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
