#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vault_secret
short_description: Write or delete a secret in the platform secret store
description:
  - Stores a secret value under a path and key in the platform secret store (the team's Vault-backed KV service), or deletes it.
options:
  path:
    description: Secret path, e.g. C(apps/shop/prod).
    type: str
    required: true
  key:
    description: Key inside the secret.
    type: str
    required: true
  value:
    description: The secret value. Required with O(state=present).
    type: str
    no_log: true
  state:
    description: Whether the key exists.
    type: str
    choices: [present, absent]
    default: present
author:
  - Platform team
"""

EXAMPLES = r"""
- name: Store the shop's stripe key
  corp.platform.vault_secret:
    path: apps/shop/prod
    key: stripe_api_key
    value: "{{ stripe_api_key }}"
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
        argument_spec={'path': {'type': 'str', 'required': True}, 'key': {'type': 'str', 'required': True}, 'value': {'type': 'str', 'no_log': True}, 'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
