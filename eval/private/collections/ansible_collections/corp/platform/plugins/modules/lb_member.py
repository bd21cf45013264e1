#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: lb_member
short_description: Add, drain or remove a server in a load balancer pool
description:
  - Manages one member of a pool on the platform load balancers. Draining lets open connections finish and sends no new ones.
options:
  pool:
    description: Pool name, e.g. C(web-prod).
    type: str
    required: true
  member:
    description: Host name or address of the server.
    type: str
    required: true
  port:
    description: Port the member listens on.
    type: int
    default: 80
  state:
    description: V(enabled) serves traffic, V(drained) takes no new connections, V(absent) removes it from the pool.
    type: str
    choices: [enabled, drained, absent]
    default: enabled
author:
  - Platform team
"""

EXAMPLES = r"""
- name: Drain web3 before patching
  corp.platform.lb_member:
    pool: web-prod
    member: web3.corp.internal
    state: drained

- name: Put web3 back
  corp.platform.lb_member:
    pool: web-prod
    member: web3.corp.internal
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
        argument_spec={'pool': {'type': 'str', 'required': True}, 'member': {'type': 'str', 'required': True}, 'port': {'type': 'int', 'default': 80}, 'state': {'type': 'str', 'choices': ['enabled', 'drained', 'absent'], 'default': 'enabled'}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
