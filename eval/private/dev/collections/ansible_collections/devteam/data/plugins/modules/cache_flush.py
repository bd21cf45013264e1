#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the data platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cache_flush
short_description: Flush keys of a shared cache cluster
description:
- Deletes keys from one of the shared Redis cache clusters, all of them or those matching a pattern.
options:
  cluster:
    description: Name of the cache cluster.
    type: str
    required: true
  pattern:
    description: Only keys matching this glob are deleted.
    type: str
    default: '*'
  database:
    description: Database number inside the cluster.
    type: int
    default: 0
author:
- Data platform team
"""

EXAMPLES = r"""
- name: Flush the session cache
  devteam.data.cache_flush:
    cluster: sessions
- name: Drop cached product pages
  devteam.data.cache_flush:
    cluster: web
    pattern: page:*
"""

RETURN = r"""
changed:
  description: Whether anything changed.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec={'cluster': {'type': 'str', 'required': True}, 'pattern': {'type': 'str', 'default': '*'}, 'database': {'type': 'int', 'default': 0}}, supports_check_mode=True)
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
