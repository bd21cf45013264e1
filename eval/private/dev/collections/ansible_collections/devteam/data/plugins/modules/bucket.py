#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the data platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: bucket
short_description: Manage a bucket on the internal object storage
description:
- Creates, configures or removes a bucket on the company object storage (S3-compatible, self-hosted).
options:
  name:
    description: Bucket name.
    type: str
    required: true
  region:
    description: Storage region.
    type: str
    default: eu-west
  versioning:
    description: Keep every version of each object.
    type: bool
    default: false
  quota_gb:
    description: Size limit of the bucket in GB.
    type: int
  public:
    description: Whether objects can be read without credentials.
    type: bool
    default: false
  state:
    description: Whether the bucket exists.
    type: str
    choices:
    - present
    - absent
    default: present
author:
- Data platform team
"""

EXAMPLES = r"""
- name: Create the assets bucket
  devteam.data.bucket:
    name: team-assets
    region: eu-west
- name: Keep versions of the contracts
  devteam.data.bucket:
    name: contracts
    versioning: true
    quota_gb: 100
"""

RETURN = r"""
changed:
  description: Whether anything changed.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec={'name': {'type': 'str', 'required': True}, 'region': {'type': 'str', 'default': 'eu-west'}, 'versioning': {'type': 'bool', 'default': False}, 'quota_gb': {'type': 'int'}, 'public': {'type': 'bool', 'default': False}, 'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'}}, supports_check_mode=True)
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
