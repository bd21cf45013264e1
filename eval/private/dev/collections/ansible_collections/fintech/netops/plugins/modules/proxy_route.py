#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: FinTech Network Operations
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: proxy_route
short_description: Manage a path route on the shared reverse proxy tier
description:
  - Adds or removes a route on the shared reverse proxies that forwards requests
    whose path starts with a prefix to an upstream service.
options:
  route_path:
    description:
      - Path prefix the route matches, starting with C(/).
    type: str
    required: true
    aliases: [prefix]
  upstream:
    description:
      - Backend the requests go to, as C(host:port).
    type: str
    required: true
  listener:
    description:
      - Which proxy listener serves the route. C(public) is reachable from the internet,
        C(dmz) from partner networks, C(internal) from the office and data centre only.
    type: str
    choices: [internal, dmz, public]
    default: internal
  strip_prefix:
    description:
      - Whether the prefix is removed from the path before the request is forwarded.
    type: bool
    default: false
  timeout_seconds:
    description:
      - How long the proxy waits for the upstream to answer.
    type: int
    default: 30
  allowed_cidrs:
    description:
      - Client networks allowed to use the route. Unset allows every client of the listener.
    type: list
    elements: str
  state:
    description:
      - Whether the route exists.
    type: str
    choices: [present, absent]
    default: present
author:
  - Network Operations (@fintech-netops)
"""

EXAMPLES = r"""
- name: Route the ledger API on the internal listener
  fintech.netops.proxy_route:
    route_path: /api/ledger
    upstream: ledger-api.internal:8443
    timeout_seconds: 60

- name: Publish the docs site on the public listener
  fintech.netops.proxy_route:
    route_path: /docs
    upstream: docs.internal:8080
    listener: public
    strip_prefix: true
"""

RETURN = r"""
route_id:
  description: Identifier of the route in the proxy configuration store.
  returned: when state is present
  type: str
  sample: rt-4f1c2
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            route_path=dict(type='str', required=True, aliases=['prefix']),
            upstream=dict(type='str', required=True),
            listener=dict(type='str', choices=['internal', 'dmz', 'public'], default='internal'),
            strip_prefix=dict(type='bool', default=False),
            timeout_seconds=dict(type='int', default=30),
            allowed_cidrs=dict(type='list', elements='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
