#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Release Engineering team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: artifact_publish
short_description: Publish a build artifact to the internal artifact store
description:
  - Uploads a build artifact (tarball, wheel, jar) to the company artifact store under a name and version.
  - Publishing the same name and version twice with different content fails unless O(overwrite=true).
options:
  name:
    description: Artifact name, usually the application name.
    type: str
    required: true
  version:
    description: Version of the artifact.
    type: str
    required: true
  path:
    description: Local path of the file to upload.
    type: path
    required: true
  repository:
    description: Repository in the artifact store.
    type: str
    choices: [releases, snapshots]
    default: releases
  overwrite:
    description: Replace an artifact already published with the same name and version.
    type: bool
    default: false
author:
  - Release Engineering
"""

EXAMPLES = r"""
- name: Publish the shop tarball
  acme.deploy.artifact_publish:
    name: shop
    version: 2.3.1
    path: /build/out/shop-2.3.1.tar.gz

- name: Publish a nightly snapshot
  acme.deploy.artifact_publish:
    name: search-indexer
    version: 0.9.0-nightly
    path: /build/out/search-indexer.whl
    repository: snapshots
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
        argument_spec={'name': {'type': 'str', 'required': True}, 'version': {'type': 'str', 'required': True}, 'path': {'type': 'path', 'required': True}, 'repository': {'type': 'str', 'choices': ['releases', 'snapshots'], 'default': 'releases'}, 'overwrite': {'type': 'bool', 'default': False}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
