#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cert_issue
short_description: Issue a TLS certificate from the internal certificate authority
description:
  - Requests a TLS certificate for a host name from the company CA and writes the certificate and private key on the target.
  - An existing valid certificate for the same names is kept unless it expires within O(renew_days).
options:
  common_name:
    description: Host name the certificate is for.
    type: str
    required: true
  alt_names:
    description: Extra DNS names (subject alternative names).
    type: list
    elements: str
  key_type:
    description: Type of the private key.
    type: str
    choices: [rsa, ec]
    default: rsa
  dest_dir:
    description: Directory the certificate and key are written to.
    type: path
    default: /etc/pki/corp
  validity_days:
    description: Lifetime of the certificate in days.
    type: int
    default: 90
  renew_days:
    description: Renew an existing certificate that expires within this many days.
    type: int
    default: 30
author:
  - Platform team
"""

EXAMPLES = r"""
- name: Get a certificate for the api host
  corp.platform.cert_issue:
    common_name: api.corp.internal
    alt_names:
      - api-v2.corp.internal
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
        argument_spec={'common_name': {'type': 'str', 'required': True}, 'alt_names': {'type': 'list', 'elements': 'str'}, 'key_type': {'type': 'str', 'choices': ['rsa', 'ec'], 'default': 'rsa'}, 'dest_dir': {'type': 'path', 'default': '/etc/pki/corp'}, 'validity_days': {'type': 'int', 'default': 90}, 'renew_days': {'type': 'int', 'default': 30}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
