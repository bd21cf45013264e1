#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the MediaCo Video Platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cdn_origin
short_description: Register an origin server with the MediaCo edge CDN
description:
  - Adds, changes or removes an origin that the edge CDN pulls video segments and manifests from.
  - Edge nodes fetch from C(origin_host) on a cache miss.
options:
  name:
    description: Name of the origin entry in the CDN configuration.
    type: str
    required: true
    aliases: [origin_name]
  origin_host:
    description: Hostname or IP address of the origin server.
    type: str
    required: true
  origin_port:
    description: TCP port on the origin.
    type: int
    default: 443
  use_tls:
    description: Whether the edge talks to the origin over HTTPS.
    type: bool
    default: true
  path_prefix:
    description: Path prepended to every request sent to the origin, for example C(/vod).
    type: str
  cache_ttl_s:
    description: Default edge cache lifetime for objects from this origin, in seconds.
    type: int
    default: 86400
  shield_region:
    description: Region of the mid-tier shield cache placed in front of the origin.
    type: str
    choices: [us-east, us-west, eu-west, ap-south]
  state:
    description: Whether the origin is registered.
    type: str
    choices: [present, absent]
    default: present
author:
  - MediaCo Video Platform Team
"""

EXAMPLES = r"""
- name: VOD origin behind the EU shield
  mediaco.streaming.cdn_origin:
    name: vod-primary
    origin_host: vod-origin01.mediaco.internal
    path_prefix: /vod
    shield_region: eu-west

- name: Live packager origin, short cache
  mediaco.streaming.cdn_origin:
    name: live-packager
    origin_host: 10.40.2.15
    origin_port: 8080
    use_tls: false
    cache_ttl_s: 4
"""

RETURN = r"""
origin_id:
  description: Identifier of the origin in the CDN configuration.
  returned: when state is present
  type: str
  sample: org-77f2
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True, aliases=['origin_name']),
            origin_host=dict(type='str', required=True),
            origin_port=dict(type='int', default=443),
            use_tls=dict(type='bool', default=True),
            path_prefix=dict(type='str'),
            cache_ttl_s=dict(type='int', default=86400),
            shield_region=dict(type='str', choices=['us-east', 'us-west', 'eu-west', 'ap-south']),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
