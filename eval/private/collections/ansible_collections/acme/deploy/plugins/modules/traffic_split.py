#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Release Engineering team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: traffic_split
short_description: Shift traffic between the stable and canary release of a service
description:
  - Sets the share of requests the canary release of a service receives at the edge router; the rest go to the stable release.
options:
  service:
    description: Service name at the edge router.
    type: str
    required: true
  canary_percent:
    description: Percentage of traffic sent to the canary, 0 to 100.
    type: int
    required: true
  environment:
    description: Environment of the router.
    type: str
    choices: [staging, prod]
    default: prod
author:
  - Release Engineering
"""

EXAMPLES = r"""
- name: Send 10 percent of checkout traffic to the canary
  acme.deploy.traffic_split:
    service: checkout
    canary_percent: 10

- name: Stop the canary
  acme.deploy.traffic_split:
    service: checkout
    canary_percent: 0
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
        argument_spec={'service': {'type': 'str', 'required': True}, 'canary_percent': {'type': 'int', 'required': True}, 'environment': {'type': 'str', 'choices': ['staging', 'prod'], 'default': 'prod'}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
