#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Release Engineering team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: env_promote
short_description: Promote a tested release from one environment to the next
description:
  - Promotes the release running in one environment (for example staging) to another (for example prod), after its checks passed.
  - The version promoted is the one currently live in O(from_env).
options:
  app:
    description: Application to promote.
    type: str
    required: true
  from_env:
    description: Environment the tested release runs in.
    type: str
    required: true
    choices: [dev, staging]
  to_env:
    description: Environment to promote to.
    type: str
    required: true
    choices: [staging, prod]
  require_approval:
    description: Wait for a release manager's approval in the release service.
    type: bool
    default: true
author:
  - Release Engineering
"""

EXAMPLES = r"""
- name: Promote the shop from staging to prod
  acme.deploy.env_promote:
    app: shop
    from_env: staging
    to_env: prod
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
        argument_spec={'app': {'type': 'str', 'required': True}, 'from_env': {'type': 'str', 'required': True, 'choices': ['dev', 'staging']}, 'to_env': {'type': 'str', 'required': True, 'choices': ['staging', 'prod']}, 'require_approval': {'type': 'bool', 'default': True}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
