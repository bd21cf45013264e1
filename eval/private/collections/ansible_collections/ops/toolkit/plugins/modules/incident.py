#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the SRE team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: incident
short_description: Open, update or resolve an incident in the incident tracker
description:
  - Opens an incident for a service with a severity and pages its on-call engineer, or resolves an open one.
options:
  title:
    description: Short title of the incident.
    type: str
    required: true
  service:
    description: Affected service.
    type: str
    required: true
  severity:
    description: Severity; V(sev1) pages the incident commander too.
    type: str
    choices: [sev1, sev2, sev3, sev4]
    default: sev3
  state:
    description: V(open) opens (or updates) it, V(resolved) resolves it.
    type: str
    choices: [open, resolved]
    default: open
author:
  - SRE
"""

EXAMPLES = r"""
- name: Open a sev2 for slow checkout
  ops.toolkit.incident:
    title: Checkout latency above 2s
    service: checkout
    severity: sev2
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
        argument_spec={'title': {'type': 'str', 'required': True}, 'service': {'type': 'str', 'required': True}, 'severity': {'type': 'str', 'choices': ['sev1', 'sev2', 'sev3', 'sev4'], 'default': 'sev3'}, 'state': {'type': 'str', 'choices': ['open', 'resolved'], 'default': 'open'}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
