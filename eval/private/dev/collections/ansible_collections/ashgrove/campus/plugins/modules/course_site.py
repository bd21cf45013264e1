#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Ashgrove University IT Services
# GNU General Public License v3.0+

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: course_site
short_description: Provision a VLE course site for a course and term
description:
  - Creates, updates, archives or deletes the virtual learning environment (VLE) site of a course
    for one teaching term.
  - Archived sites become read-only for students and are kept for the retention period set by
    the Registry. Deleting a site is only possible for sites that never had enrolments.
  - When O(sync_enrolment) is on, the student list is pulled every night from the student records
    system.
options:
  course_code:
    description: Course code from the course catalogue, for example C(CHEM2041).
    type: str
    required: true
    aliases: [course]
  term:
    description: Teaching term, written C(YYYY-spring), C(YYYY-summer) or C(YYYY-fall).
    type: str
    required: true
  title:
    description: Site title. Defaults to the catalogue title of the course.
    type: str
  instructors:
    description: University email addresses of the staff who get the teacher role on the site.
    type: list
    elements: str
  visibility:
    description:
      - Who can see the site.
      - C(hidden) only staff on the site, C(enrolled) enrolled students, C(campus) anyone with a
        university login, C(public) everyone.
    type: str
    choices: [hidden, enrolled, campus, public]
    default: enrolled
  sync_enrolment:
    description: Pull enrolments from student records every night.
    type: bool
    default: true
  storage_quota_gb:
    description: File storage allowed for the site, in GB.
    type: int
    default: 5
  state:
    description: State of the site.
    type: str
    choices: [present, absent, archived]
    default: present
author:
  - Academic Systems team
"""

EXAMPLES = r"""
- name: Fall site for organic chemistry
  ashgrove.campus.course_site:
    course_code: CHEM2041
    term: 2025-fall
    instructors:
      - m.okafor@ashgrove.ac.example
      - t.lindqvist@ashgrove.ac.example
    storage_quota_gb: 20

- name: Archive last spring's site
  ashgrove.campus.course_site:
    course_code: HIST1100
    term: 2024-spring
    state: archived
"""

RETURN = r"""
site_url:
  description: URL of the course site.
  returned: when state is present or archived
  type: str
  sample: https://learn.ashgrove.ac.example/course/CHEM2041-2025-fall
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            course_code=dict(type='str', required=True, aliases=['course']),
            term=dict(type='str', required=True),
            title=dict(type='str'),
            instructors=dict(type='list', elements='str'),
            visibility=dict(type='str', choices=['hidden', 'enrolled', 'campus', 'public'], default='enrolled'),
            sync_enrolment=dict(type='bool', default=True),
            storage_quota_gb=dict(type='int', default=5),
            state=dict(type='str', choices=['present', 'absent', 'archived'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
