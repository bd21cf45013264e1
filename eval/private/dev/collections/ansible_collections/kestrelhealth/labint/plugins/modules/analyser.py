#!/usr/bin/python
# -*- coding: utf-8 -*-
# Kestrel Health Pathology Integration. Internal module.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: analyser
short_description: Register lab analysers with the middleware
description:
  - Registers an analyser (instrument) with the lab middleware so its results reach the LIS.
  - Quarantined analysers keep sending results, but the middleware holds them all for manual
    review instead of releasing them. Use it when QC fails.
options:
  serial_number:
    description: Manufacturer serial number.
    type: str
    required: true
    aliases: [serial, sn]
  model:
    description: Make and model, free text, e.g. C(Sysmex XN-1000).
    type: str
    required: true
  department:
    description: Lab department.
    type: str
    choices: [chemistry, haematology, microbiology, immunology, coagulation, blood_bank]
  location:
    description: Room or bench.
    type: str
  connection:
    description: Link type between analyser and middleware.
    type: str
    choices: [astm_tcp, astm_serial, hl7_mllp, poct1a]
    default: astm_tcp
  host:
    description: Analyser IP/hostname. Not used for C(astm_serial).
    type: str
  port:
    description: TCP port on the analyser.
    type: int
  bidirectional:
    description: Analyser queries the middleware for orders (host query). False = results only.
    type: bool
    default: true
  state:
    type: str
    choices: [present, absent, quarantined]
    default: present
    description: Registration state.
author:
  - Pathology Integration Team
"""

EXAMPLES = r"""
- kestrelhealth.labint.analyser:
    serial_number: "1907-12"
    model: Roche cobas c503
    department: chemistry
    host: 10.20.4.31
    port: 5100

- kestrelhealth.labint.analyser:
    serial_number: "1907-12"
    model: Roche cobas c503
    state: quarantined
"""

RETURN = r"""
analyser_id:
  description: Middleware identifier.
  returned: when state is not absent
  type: str
  sample: AN-0087
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            serial_number=dict(type='str', required=True, aliases=['serial', 'sn']),
            model=dict(type='str', required=True),
            department=dict(type='str', choices=['chemistry', 'haematology', 'microbiology',
                                                 'immunology', 'coagulation', 'blood_bank']),
            location=dict(type='str'),
            connection=dict(type='str', choices=['astm_tcp', 'astm_serial', 'hl7_mllp', 'poct1a'],
                            default='astm_tcp'),
            host=dict(type='str'),
            port=dict(type='int'),
            bidirectional=dict(type='bool', default=True),
            state=dict(type='str', choices=['present', 'absent', 'quarantined'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=False)


if __name__ == '__main__':
    main()
