#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Dev tools team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: log_shipping
short_description: Ship a log file to the central log platform
description:
  - Configures the host's log agent to follow a log file and send it to an index on the central log platform.
options:
  file:
    description: Log file to follow.
    type: path
    required: true
  index:
    description: Index on the log platform.
    type: str
    required: true
  state:
    description: Whether the file is shipped.
    type: str
    choices: [present, absent]
    default: present
author:
  - Dev tools
"""

EXAMPLES = r"""
- name: Ship the nginx access log
  devteam.tools.log_shipping:
    file: /var/log/nginx/access.log
    index: web
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
        argument_spec={'file': {'type': 'path', 'required': True}, 'index': {'type': 'str', 'required': True}, 'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'}},
        supports_check_mode=True,
    )
    # The real work calls the internal platform API; this benchmark copy reports what it would do.
    module.exit_json(changed=True, params=dict((k, v) for k, v in module.params.items() if v is not None))


if __name__ == "__main__":
    main()
