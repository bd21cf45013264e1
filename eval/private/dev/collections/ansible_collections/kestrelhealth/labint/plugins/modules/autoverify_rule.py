#!/usr/bin/python
# -*- coding: utf-8 -*-
# Kestrel Health Pathology Integration. Internal module.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: autoverify_rule
short_description: Autoverification rules
description:
  - Rule that lets the middleware release a result to the LIS without a BMS reviewing it,
    when the result is inside I(low)..I(high), passes the delta check and carries none of I(hold_flags).
  - Rules must be signed off by the clinical lead before they are enabled in production.
    Create new rules with I(enabled=false).
options:
  name:
    description: Rule name.
    type: str
    required: true
  test_code:
    description: LIS test code the rule applies to.
    type: str
    required: true
  low:
    description: Lowest result value that can be released.
    type: float
  high:
    description: Highest result value that can be released.
    type: float
  delta_check_pct:
    description: Hold if the result differs from the patient's previous one by more than this percentage.
    type: int
  hold_flags:
    description: Analyser flags (e.g. C(H), C(L), C(HEM), C(LIP)) that always send the result for review.
    type: list
    elements: str
  require_qc_pass:
    description: Only release if the analyser's last QC run passed.
    type: bool
    default: true
  enabled:
    description: Whether the rule is active. A disabled rule is kept but not applied.
    type: bool
    default: true
  state:
    description: C(absent) deletes the rule.
    type: str
    choices: [present, absent]
    default: present
author:
  - Pathology Integration Team
"""

EXAMPLES = r"""
- kestrelhealth.labint.autoverify_rule:
    name: gluc-normal
    test_code: GLUC
    low: 3.0
    high: 11.0
    delta_check_pct: 25
    hold_flags: [HEM, LIP]
    enabled: false
"""

RETURN = r"""
rule_id:
  description: Middleware identifier of the rule.
  returned: when state is present
  type: str
  sample: AV-0193
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            test_code=dict(type='str', required=True),
            low=dict(type='float'),
            high=dict(type='float'),
            delta_check_pct=dict(type='int'),
            hold_flags=dict(type='list', elements='str'),
            require_qc_pass=dict(type='bool', default=True),
            enabled=dict(type='bool', default=True),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=False)


if __name__ == '__main__':
    main()
