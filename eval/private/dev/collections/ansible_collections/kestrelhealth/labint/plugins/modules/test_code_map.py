#!/usr/bin/python
# -*- coding: utf-8 -*-
# Kestrel Health Pathology Integration. Internal module.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: test_code_map
short_description: Map an analyser's test code to an LIS test code
description:
  - Each analyser reports results under its own test codes. This module maintains the
    translation from the instrument code to the LIS code (and optionally LOINC) in the
    middleware.
  - A mapping is identified by I(analyser) and I(instrument_code). An instrument code can
    only map to one LIS code per analyser; setting a different I(lis_code) replaces the mapping.
options:
  analyser:
    description: Serial number of the analyser, as registered with M(kestrelhealth.labint.analyser).
    type: str
    required: true
  instrument_code:
    description: Test code as sent by the analyser, e.g. C(GLU).
    type: str
    required: true
  lis_code:
    description: Test code in the LIS, e.g. C(GLUC).
    type: str
    required: true
  loinc:
    description: LOINC code sent in OBX-3 alongside the LIS code.
    type: str
  units:
    description: Result units as the LIS should show them. The middleware does not convert values.
    type: str
  decimal_places:
    description: Round numeric results to this many decimal places. Unset means as sent.
    type: int
  result_type:
    description: Type of result.
    type: str
    choices: [numeric, text, coded]
    default: numeric
  state:
    description: Whether the mapping exists.
    type: str
    choices: [present, absent]
    default: present
author:
  - Pathology Integration Team
"""

EXAMPLES = r"""
- name: Sodium on the c503
  kestrelhealth.labint.test_code_map:
    analyser: "1907-12"
    instrument_code: NA
    lis_code: NA
    loinc: 2951-2
    units: mmol/L
    decimal_places: 0

- name: Blood group is a coded result
  kestrelhealth.labint.test_code_map:
    analyser: "40021001"
    instrument_code: ABO
    lis_code: ABOGRP
    result_type: coded
"""

RETURN = r"""
mapping:
  description: The mapping as stored.
  returned: when state is present
  type: dict
  sample: {analyser: "1907-12", instrument_code: NA, lis_code: NA, loinc: 2951-2}
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            analyser=dict(type='str', required=True),
            instrument_code=dict(type='str', required=True),
            lis_code=dict(type='str', required=True),
            loinc=dict(type='str'),
            units=dict(type='str'),
            decimal_places=dict(type='int'),
            result_type=dict(type='str', choices=['numeric', 'text', 'coded'], default='numeric'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=False)


if __name__ == '__main__':
    main()
