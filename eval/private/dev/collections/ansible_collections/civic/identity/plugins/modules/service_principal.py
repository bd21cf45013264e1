#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Civic IAM team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: service_principal
short_description: Manage non-human service principals in the Civic identity platform
description:
  - Creates, updates, disables or deletes a service principal (application identity) that authenticates with a client secret.
options:
  principal_id:
    description: Unique identifier of the principal, for example C(svc-benefits-batch).
    type: str
    required: true
  display_name:
    description: Human-readable name shown in the admin console.
    type: str
  owners:
    description: Usernames of the staff accountable for the principal.
    type: list
    elements: str
  client_secret:
    description: Client secret to set. When omitted a secret is generated on creation. Never logged.
    type: str
  secret_ttl_days:
    description: Days until the client secret expires.
    type: int
    default: 90
  enabled:
    description: Whether the principal may sign in.
    type: bool
    default: true
  state:
    description: Whether the principal exists.
    type: str
    choices: [present, absent]
    default: present
author:
  - Civic IAM Team
"""

EXAMPLES = r"""
- name: Principal for the benefits batch job
  civic.identity.service_principal:
    principal_id: svc-benefits-batch
    display_name: Benefits nightly batch
    owners: [akhan, rbell]
    secret_ttl_days: 180

- name: Suspend a principal during an incident
  civic.identity.service_principal:
    principal_id: svc-legacy-sync
    enabled: false
"""

RETURN = r"""
object_id:
  description: Directory object identifier of the principal.
  returned: when state is present
  type: str
  sample: 4f0a2c1e-7b7d-4b21-9c55-2a1d0e9f3b10
secret_expires:
  description: Expiry date of the current client secret.
  returned: when a secret was set or generated
  type: str
  sample: "2025-01-14"
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            principal_id=dict(type='str', required=True),
            display_name=dict(type='str'),
            owners=dict(type='list', elements='str'),
            client_secret=dict(type='str', no_log=True),
            secret_ttl_days=dict(type='int', default=90),
            enabled=dict(type='bool', default=True),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
