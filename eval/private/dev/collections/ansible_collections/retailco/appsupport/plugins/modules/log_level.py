#!/usr/bin/python
# -*- coding: utf-8 -*-
# RetailCo Application Support - internal use only
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: log_level
short_description: Change the runtime log level of an application service
description:
  - Changes the log level of a running service through its admin endpoint, without a restart.
  - With I(revert_after_minutes) the previous level is restored automatically, which is
    the usual way to collect debug logs during an incident.
options:
  service:
    description:
      - Name of the service as registered in the service catalog.
    type: str
    required: true
  level:
    description:
      - Log level to set.
    type: str
    required: true
    choices: [trace, debug, info, warn, error]
  environment:
    description:
      - Environment of the service.
    type: str
    choices: [dev, staging, prod]
    default: prod
  revert_after_minutes:
    description:
      - Restore the previous level after this many minutes. Unset keeps the new level.
    type: int
  instances:
    description:
      - Instances to change. Unset changes every instance of the service.
    type: list
    elements: str
author:
  - RetailCo Application Support
"""

EXAMPLES = r"""
- name: Debug logs on the payment gateway for half an hour
  retailco.appsupport.log_level:
    service: payment-gateway
    level: debug
    revert_after_minutes: 30

- name: Quieten a chatty service in staging
  retailco.appsupport.log_level:
    service: recommendations
    level: error
    environment: staging
"""

RETURN = r"""
previous_level:
  description: Level the service had before the change.
  returned: always
  type: str
  sample: info
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec={
            'service': {'type': 'str', 'required': True},
            'level': {'type': 'str', 'required': True, 'choices': ['trace', 'debug', 'info', 'warn', 'error']},
            'environment': {'type': 'str', 'choices': ['dev', 'staging', 'prod'], 'default': 'prod'},
            'revert_after_minutes': {'type': 'int'},
            'instances': {'type': 'list', 'elements': 'str'},
        },
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
