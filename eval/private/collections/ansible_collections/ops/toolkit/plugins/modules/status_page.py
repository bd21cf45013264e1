#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the SRE team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: status_page
short_description: Set the status of a component on the public status page
description:
  - Sets the status of one component on the company's public status page, with an optional message for customers.
options:
  component:
    description: Component name on the status page, e.g. C(API) or C(Dashboard).
    type: str
    required: true
  status:
    description: Status to show.
    type: str
    required: true
    choices: [operational, degraded, partial_outage, major_outage]
  message:
    description: Message shown to customers.
    type: str
author:
  - SRE
"""

EXAMPLES = r"""
- name: Show the API as degraded
  ops.toolkit.status_page:
    component: API
    status: degraded
    message: Some requests are slower than usual.
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
        argument_spec={'component': {'type': 'str', 'required': True}, 'status': {'type': 'str', 'required': True, 'choices': ['operational', 'degraded', 'partial_outage', 'major_outage']}, 'message': {'type': 'str'}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
