#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Release Engineering team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: deploy_freeze
short_description: Start or end a deploy freeze for an application
description:
  - A deploy freeze blocks all deployments of an application (or of every application) in an environment, e.g. during a sales event or an incident.
  - The release service refuses O(app) deploys while it is frozen.
options:
  app:
    description: Application to freeze; C(all) freezes every application.
    type: str
    required: true
  environment:
    description: Environment the freeze applies to.
    type: str
    choices: [dev, staging, prod]
    default: prod
  state:
    description: V(frozen) starts the freeze, V(thawed) ends it.
    type: str
    choices: [frozen, thawed]
    default: frozen
  reason:
    description: Why deployments are frozen.
    type: str
author:
  - Release Engineering
"""

EXAMPLES = r"""
- name: Freeze shop deploys for black friday
  acme.deploy.deploy_freeze:
    app: shop
    reason: black friday

- name: Lift the freeze on all apps
  acme.deploy.deploy_freeze:
    app: all
    state: thawed
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
        argument_spec={'app': {'type': 'str', 'required': True}, 'environment': {'type': 'str', 'choices': ['dev', 'staging', 'prod'], 'default': 'prod'}, 'state': {'type': 'str', 'choices': ['frozen', 'thawed'], 'default': 'frozen'}, 'reason': {'type': 'str'}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
