#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the MediaCo Video Platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: storage_tier
short_description: Move media assets between storage tiers
description:
  - Sets the storage class of a media asset (mezzanine file and renditions) in the asset store.
  - Moving an asset to C(archive) makes it unavailable for playout until it is restored to a warmer tier.
options:
  asset_id:
    description: Library identifier of the asset. Mutually exclusive with I(id_file).
    type: str
    aliases: [asset]
  id_file:
    description: Local file with one asset identifier per line, for bulk moves.
    type: path
  tier:
    description: Target storage tier.
    type: str
    required: true
    choices: [hot, warm, cold, archive]
  include_renditions:
    description: Whether the encoded renditions move too, not only the mezzanine file.
    type: bool
    default: true
  min_retention_days:
    description: Days the asset must stay in the target tier before it may move again.
    type: int
author:
  - MediaCo Video Platform Team
"""

EXAMPLES = r"""
- name: Archive an old series episode
  mediaco.streaming.storage_tier:
    asset_id: ast-11873
    tier: archive

- name: Bring the back catalogue in the list to warm storage
  mediaco.streaming.storage_tier:
    id_file: /srv/catalog/restore-list.txt
    tier: warm
    min_retention_days: 30
"""

RETURN = r"""
moved:
  description: Identifiers of the assets whose tier changed.
  returned: always
  type: list
  elements: str
  sample: [ast-11873]
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            asset_id=dict(type='str', aliases=['asset']),
            id_file=dict(type='path'),
            tier=dict(type='str', required=True, choices=['hot', 'warm', 'cold', 'archive']),
            include_renditions=dict(type='bool', default=True),
            min_retention_days=dict(type='int'),
        ),
        mutually_exclusive=[['asset_id', 'id_file']],
        required_one_of=[['asset_id', 'id_file']],
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
