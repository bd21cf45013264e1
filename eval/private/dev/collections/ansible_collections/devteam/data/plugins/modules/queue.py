#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the data platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: queue
short_description: Manage a queue on the team message broker
description:
- Creates or deletes a queue on the shared RabbitMQ-based message broker run by the data team.
options:
  name:
    description: Name of the queue.
    type: str
    required: true
  vhost:
    description: Virtual host the queue lives in.
    type: str
    default: /
  durable:
    description: Whether the queue survives a broker restart.
    type: bool
    default: true
  max_length:
    description: Most messages the queue holds; older ones are dropped.
    type: int
  state:
    description: Whether the queue exists.
    type: str
    choices:
    - present
    - absent
    default: present
author:
- Data platform team
"""

EXAMPLES = r"""
- name: Create the orders queue
  devteam.data.queue:
    name: orders
- name: Create a bounded queue in the shop vhost
  devteam.data.queue:
    name: shop_events
    vhost: shop
    max_length: 50000
"""

RETURN = r"""
changed:
  description: Whether anything changed.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec={'name': {'type': 'str', 'required': True}, 'vhost': {'type': 'str', 'default': '/'}, 'durable': {'type': 'bool', 'default': True}, 'max_length': {'type': 'int'}, 'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'}}, supports_check_mode=True)
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
