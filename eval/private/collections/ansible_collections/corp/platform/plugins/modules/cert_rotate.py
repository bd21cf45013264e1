#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cert_rotate
short_description: Rotate the TLS certificate of a host now
description:
  - Rotates a host's TLS certificate at once, whatever its expiry date, with a new private key, and revokes the old certificate at the company CA.
  - Use after a key leak or to change the key type.
options:
  common_name:
    description: Host name of the certificate to rotate.
    type: str
    required: true
  key_type:
    description: Type of the new private key.
    type: str
    choices: [rsa, ec]
    default: rsa
  revoke_old:
    description: Revoke the old certificate at the CA.
    type: bool
    default: true
  reload_service:
    description: Service to reload once the new certificate is in place, e.g. C(nginx).
    type: str
author:
  - Platform team
"""

EXAMPLES = r"""
- name: Rotate the certificate of the mail relay with an EC key
  corp.platform.cert_rotate:
    common_name: relay.corp.internal
    key_type: ec
    reload_service: postfix
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
        argument_spec={'common_name': {'type': 'str', 'required': True}, 'key_type': {'type': 'str', 'choices': ['rsa', 'ec'], 'default': 'rsa'}, 'revoke_old': {'type': 'bool', 'default': True}, 'reload_service': {'type': 'str'}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
