#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Release Engineering team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: release_rollback
short_description: Roll an application back to an earlier release
description:
  - Rolls back an application in one environment to the previous release, or to a given version.
  - Uses the release history kept by the release service; the artifact must still be in the artifact store.
options:
  app:
    description: Name of the application in the release service.
    type: str
    required: true
  environment:
    description: Environment to roll back.
    type: str
    required: true
    choices: [dev, staging, prod]
  to_version:
    description: Version to go back to. Defaults to the release before the current one.
    type: str
  reason:
    description: Why the rollback is done; stored in the release history.
    type: str
author:
  - Release Engineering
"""

EXAMPLES = r"""
- name: Roll the shop back to the previous release in prod
  acme.deploy.release_rollback:
    app: shop
    environment: prod
    reason: checkout errors after 2.3.1

- name: Go back to billing-api 4.9.2 on staging
  acme.deploy.release_rollback:
    app: billing-api
    environment: staging
    to_version: 4.9.2
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
        argument_spec={'app': {'type': 'str', 'required': True}, 'environment': {'type': 'str', 'required': True, 'choices': ['dev', 'staging', 'prod']}, 'to_version': {'type': 'str'}, 'reason': {'type': 'str'}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
