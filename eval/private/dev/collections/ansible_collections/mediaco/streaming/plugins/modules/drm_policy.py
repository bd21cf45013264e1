#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the MediaCo Video Platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: drm_policy
short_description: Manage DRM license policies on the MediaCo key server
description:
  - Creates, updates or deletes a license policy that the multi-DRM key server applies when it hands out content licenses.
options:
  name:
    description: Name of the policy, referenced by catalog entries.
    type: str
    required: true
  drm_systems:
    description: DRM systems the policy issues licenses for.
    type: list
    elements: str
    choices: [widevine, playready, fairplay]
    default: [widevine, playready, fairplay]
  license_duration_h:
    description: Hours a license stays valid after it is issued.
    type: int
    default: 48
  persistent:
    description: Whether players may store the license for offline playback.
    type: bool
    default: false
  max_devices:
    description: Most devices one account may hold licenses on at the same time.
    type: int
  min_security_level:
    description: Lowest output protection level a device must have.
    type: str
    choices: [sw_secure, hw_secure, hdcp_v2]
    default: sw_secure
  state:
    description: Whether the policy exists.
    type: str
    choices: [present, absent]
    default: present
author:
  - MediaCo Video Platform Team
"""

EXAMPLES = r"""
- name: Rental policy, 48h, no downloads
  mediaco.streaming.drm_policy:
    name: rental-48h
    license_duration_h: 48
    persistent: false

- name: Premium 4K policy, hardware DRM only
  mediaco.streaming.drm_policy:
    name: premium-uhd
    drm_systems: [widevine, fairplay]
    min_security_level: hdcp_v2
    max_devices: 3
"""

RETURN = r"""
policy_id:
  description: Identifier of the policy on the key server.
  returned: when state is present
  type: str
  sample: pol-3b7
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            drm_systems=dict(type='list', elements='str', choices=['widevine', 'playready', 'fairplay'],
                             default=['widevine', 'playready', 'fairplay']),
            license_duration_h=dict(type='int', default=48),
            persistent=dict(type='bool', default=False),
            max_devices=dict(type='int'),
            min_security_level=dict(type='str', choices=['sw_secure', 'hw_secure', 'hdcp_v2'], default='sw_secure'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
