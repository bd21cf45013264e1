#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Civic IAM team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: mfa_enrollment
short_description: Enroll or revoke multi-factor authenticators for Civic accounts
description:
  - Starts the enrollment of a second factor for a directory account, or revokes an enrolled factor.
  - For C(totp) and C(webauthn) the user receives an enrollment link; for C(sms) the phone number is registered directly.
options:
  user:
    description: Directory username of the account.
    type: str
    required: true
    aliases: [account]
  method:
    description: Kind of authenticator.
    type: str
    choices: [totp, webauthn, sms, smartcard]
    default: totp
  phone:
    description: Phone number in E.164 format, for I(method=sms).
    type: str
  send_invite:
    description: Whether the enrollment link is e-mailed to the user.
    type: bool
    default: true
  enforce:
    description: Whether sign-in without the second factor is refused from now on.
    type: bool
    default: false
  state:
    description: C(enrolled) registers the factor, C(revoked) removes it.
    type: str
    choices: [enrolled, revoked]
    default: enrolled
author:
  - Civic IAM Team
"""

EXAMPLES = r"""
- name: Security key for a new admin, required right away
  civic.identity.mfa_enrollment:
    user: pnguyen
    method: webauthn
    enforce: true

- name: Revoke a lost phone's authenticator app
  civic.identity.mfa_enrollment:
    user: jdoe
    method: totp
    state: revoked
"""

RETURN = r"""
enrollment_url:
  description: Link the user opens to finish the enrollment.
  returned: when state is enrolled and method is totp or webauthn
  type: str
  sample: https://id.civic.example.gov/enroll/3f9c...
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            user=dict(type='str', required=True, aliases=['account']),
            method=dict(type='str', choices=['totp', 'webauthn', 'sms', 'smartcard'], default='totp'),
            phone=dict(type='str'),
            send_invite=dict(type='bool', default=True),
            enforce=dict(type='bool', default=False),
            state=dict(type='str', choices=['enrolled', 'revoked'], default='enrolled'),
        ),
        required_if=[['method', 'sms', ['phone']]],
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
