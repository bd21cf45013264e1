#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Release Engineering team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: release_deploy
short_description: Deploy a release of an application through the release service
description:
  - Deploys one version (a build tag) of an application to an environment through the internal release service.
  - The release service pulls the artifact from the artifact store, runs the health checks and switches traffic.
options:
  app:
    description: Name of the application as registered in the release service, e.g. C(shop) or C(billing-api).
    type: str
    required: true
  version:
    description: The version (build tag) to deploy, e.g. C(2.3.1).
    type: str
    required: true
  environment:
    description: Target environment.
    type: str
    required: true
    choices: [dev, staging, prod]
  strategy:
    description: How instances are replaced.
    type: str
    choices: [rolling, blue_green, canary]
    default: rolling
  wait:
    description: Wait until the deployment is healthy.
    type: bool
    default: true
author:
  - Release Engineering
"""

EXAMPLES = r"""
- name: Deploy shop 2.3.1 to production
  acme.deploy.release_deploy:
    app: shop
    version: 2.3.1
    environment: prod

- name: Blue/green deploy of the billing api on staging
  acme.deploy.release_deploy:
    app: billing-api
    version: 5.0.0
    environment: staging
    strategy: blue_green
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
        argument_spec={'app': {'type': 'str', 'required': True}, 'version': {'type': 'str', 'required': True}, 'environment': {'type': 'str', 'required': True, 'choices': ['dev', 'staging', 'prod']}, 'strategy': {'type': 'str', 'choices': ['rolling', 'blue_green', 'canary'], 'default': 'rolling'}, 'wait': {'type': 'bool', 'default': True}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
