#!/usr/bin/python
# -*- coding: utf-8 -*-
# RetailCo Application Support - internal use only
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: support_ticket
short_description: Open or resolve a ticket in the application support queue
description:
  - Opens a ticket in the APPSUP queue of the service desk, or resolves an existing one.
  - Opening is not idempotent on its own; a ticket with the same I(summary) that is still open is reused.
options:
  summary:
    description:
      - One-line title of the ticket. Required to open a ticket.
    type: str
    aliases: [title]
  details:
    description:
      - Longer description of the problem.
    type: str
  priority:
    description:
      - Priority of the ticket, C(p1) being an outage.
    type: str
    choices: [p1, p2, p3, p4]
    default: p3
  component:
    description:
      - Application or component the ticket is about.
    type: str
  assignee:
    description:
      - Login of the engineer the ticket is assigned to. Unset leaves it in the queue.
    type: str
  notify_oncall:
    description:
      - Whether the on-call engineer is paged when the ticket is opened.
    type: bool
    default: false
  ticket_id:
    description:
      - Key of an existing ticket, for example C(APPSUP-1234). Required to resolve a ticket.
    type: str
  state:
    description:
      - C(open) opens the ticket, C(resolved) resolves the ticket given by I(ticket_id).
    type: str
    choices: [open, resolved]
    default: open
author:
  - RetailCo Application Support
"""

EXAMPLES = r"""
- name: Raise a ticket when the smoke test fails
  retailco.appsupport.support_ticket:
    summary: "Smoke test failed after deploy of {{ app_version }}"
    component: storefront
    priority: p2
  register: ticket

- name: Resolve it once the rollback is done
  retailco.appsupport.support_ticket:
    ticket_id: "{{ ticket.ticket_id }}"
    state: resolved
"""

RETURN = r"""
ticket_id:
  description: Key of the ticket.
  returned: always
  type: str
  sample: APPSUP-5120
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec={
            'summary': {'type': 'str', 'aliases': ['title']},
            'details': {'type': 'str'},
            'priority': {'type': 'str', 'choices': ['p1', 'p2', 'p3', 'p4'], 'default': 'p3'},
            'component': {'type': 'str'},
            'assignee': {'type': 'str'},
            'notify_oncall': {'type': 'bool', 'default': False},
            'ticket_id': {'type': 'str'},
            'state': {'type': 'str', 'choices': ['open', 'resolved'], 'default': 'open'},
        },
        required_if=[('state', 'open', ['summary']), ('state', 'resolved', ['ticket_id'])],
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
