#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the Civic IAM team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: access_review
short_description: Run access review (recertification) campaigns
description:
  - Creates and starts, or closes, an access review campaign in which reviewers confirm or remove the members of directory groups.
options:
  campaign:
    description: Name of the campaign, for example C(q3-finance-recert).
    type: str
    required: true
    aliases: [name]
  groups:
    description: Directory groups whose members are reviewed.
    type: list
    elements: str
  reviewers:
    description: Usernames of the reviewers. Defaults to the owners of each group.
    type: list
    elements: str
  duration_days:
    description: Days reviewers have to complete the campaign.
    type: int
    default: 14
  recurrence:
    description: How often the campaign is repeated.
    type: str
    choices: [once, quarterly, yearly]
    default: once
  auto_remove:
    description: Whether access that was not confirmed by the deadline is removed automatically.
    type: bool
    default: false
  state:
    description: C(started) opens the campaign, C(closed) ends it early and applies the decisions made so far.
    type: str
    choices: [started, closed]
    default: started
author:
  - Civic IAM Team
"""

EXAMPLES = r"""
- name: Quarterly recertification of finance access
  civic.identity.access_review:
    campaign: finance-recert
    groups: [finance-readers, finance-approvers]
    reviewers: [cfo.office]
    recurrence: quarterly
    auto_remove: true

- name: Close the audit campaign
  civic.identity.access_review:
    campaign: audit-2024
    state: closed
"""

RETURN = r"""
campaign_id:
  description: Identifier of the campaign.
  returned: always
  type: str
  sample: ar-00917
items:
  description: Number of memberships under review.
  returned: when state is started
  type: int
  sample: 412
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            campaign=dict(type='str', required=True, aliases=['name']),
            groups=dict(type='list', elements='str'),
            reviewers=dict(type='list', elements='str'),
            duration_days=dict(type='int', default=14),
            recurrence=dict(type='str', choices=['once', 'quarterly', 'yearly'], default='once'),
            auto_remove=dict(type='bool', default=False),
            state=dict(type='str', choices=['started', 'closed'], default='started'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
