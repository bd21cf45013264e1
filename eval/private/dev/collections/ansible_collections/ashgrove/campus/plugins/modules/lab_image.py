#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Ashgrove University IT Services
# GNU General Public License v3.0+

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: lab_image
short_description: Teaching lab PC images
description:
  - Defines a disk image for the teaching lab PCs and, with C(state=deployed), pushes it to the
    lab rooms listed in O(labs).
options:
  name:
    description: Image name.
    type: str
    required: true
  base_os:
    description: Base operating system.
    type: str
    required: true
    choices: [windows11, ubuntu2204, ubuntu2404, rocky9]
  software:
    description: Software bundles from the packaging catalogue baked into the image.
    type: list
    elements: str
  labs:
    description: Lab room codes the image is assigned to, e.g. C(SCI-G12).
    type: list
    elements: str
  reimage_nightly:
    description: Wipe and reimage the assigned PCs every night at 02:00.
    type: bool
    default: false
  disk_gb:
    description: System disk size of the image in GB.
    type: int
    default: 128
  state:
    description: C(present) builds the image, C(deployed) builds it and pushes it to O(labs).
    type: str
    choices: [present, absent, deployed]
    default: present
author:
  - Academic Systems team
"""

EXAMPLES = r"""
- name: Engineering image
  ashgrove.campus.lab_image:
    name: eng-2025
    base_os: windows11
    software: [matlab-r2024b, solidworks-2024, python-anaconda]
    labs: [ENG-101, ENG-102]
    state: deployed

- name: Linux image for the CS labs
  ashgrove.campus.lab_image:
    name: cs-linux
    base_os: ubuntu2404
    reimage_nightly: true
"""

RETURN = r"""
image_version:
  description: Version number of the built image.
  returned: when state is present or deployed
  type: int
  sample: 14
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            base_os=dict(type='str', required=True, choices=['windows11', 'ubuntu2204', 'ubuntu2404', 'rocky9']),
            software=dict(type='list', elements='str'),
            labs=dict(type='list', elements='str'),
            reimage_nightly=dict(type='bool', default=False),
            disk_gb=dict(type='int', default=128),
            state=dict(type='str', choices=['present', 'absent', 'deployed'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
