#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the SRE team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cdn_purge
short_description: Purge cached content from the CDN
description:
  - Purges paths, or a whole site, from the company CDN cache so the next request fetches them from the origin.
options:
  site:
    description: Site (CDN property) name, e.g. C(www.example.com).
    type: str
    required: true
  paths:
    description: Paths to purge. When not given, the whole site is purged.
    type: list
    elements: str
  wait:
    description: Wait until the purge has reached every edge location.
    type: bool
    default: false
author:
  - SRE
"""

EXAMPLES = r"""
- name: Purge the new stylesheet
  ops.toolkit.cdn_purge:
    site: www.example.com
    paths:
      - /static/css/main.css
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
        argument_spec={'site': {'type': 'str', 'required': True}, 'paths': {'type': 'list', 'elements': 'str'}, 'wait': {'type': 'bool', 'default': False}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
