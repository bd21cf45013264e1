#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Ashgrove University IT Services
# GNU General Public License v3.0+

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: exam_session
short_description: Schedule a locked-down computer-based exam
description:
  - Books a computer-based exam in a lab room. For the length of the session the PCs in the
    room boot into the lockdown browser, internet access is limited to O(allowed_urls) and,
    unless told otherwise, USB storage is blocked.
  - Lockdown starts 15 minutes before O(starts_at) so invigilators can seat students.
  - Cancelling a session releases the room and returns the PCs to the normal lab image.
options:
  course_code:
    description: Course the exam belongs to.
    type: str
    required: true
  room:
    description: Lab room code, for example C(SCI-G12).
    type: str
    required: true
  starts_at:
    description: Local start time of the exam, C(YYYY-MM-DD HH:MM).
    type: str
    required: true
  duration_min:
    description: Exam length in minutes, not counting the 15 minute set-up.
    type: int
    required: true
  allowed_urls:
    description: Web addresses students may reach during the exam. The VLE quiz page is always allowed.
    type: list
    elements: str
  block_usb:
    description: Block USB storage devices on the room PCs.
    type: bool
    default: true
  invigilators:
    description: Staff emails that receive the session PIN.
    type: list
    elements: str
  state:
    description: Whether the session is booked.
    type: str
    choices: [scheduled, cancelled]
    default: scheduled
author:
  - Academic Systems team
  - Exams Office
"""

EXAMPLES = r"""
- name: Stats final in the Library lab
  ashgrove.campus.exam_session:
    course_code: STAT1010
    room: LIB-L2
    starts_at: "2025-12-09 09:30"
    duration_min: 120
    allowed_urls:
      - https://docs.python.org
    invigilators:
      - r.mensah@ashgrove.ac.example

- name: Cancel the resit
  ashgrove.campus.exam_session:
    course_code: STAT1010
    room: LIB-L2
    starts_at: "2026-01-14 14:00"
    duration_min: 120
    state: cancelled
"""

RETURN = r"""
session_pin:
  description: PIN invigilators type to unlock the lockdown browser. Also emailed to O(invigilators).
  returned: when state is scheduled
  type: str
  sample: "604218"
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            course_code=dict(type='str', required=True),
            room=dict(type='str', required=True),
            starts_at=dict(type='str', required=True),
            duration_min=dict(type='int', required=True),
            allowed_urls=dict(type='list', elements='str'),
            block_usb=dict(type='bool', default=True),
            invigilators=dict(type='list', elements='str'),
            state=dict(type='str', choices=['scheduled', 'cancelled'], default='scheduled'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
