#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: contributors to ansible-codegen
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: feature_flag
short_description: Set or remove a feature flag in a JSON file
version_added: "1.0.0"
description:
  - >-
    Manages one boolean flag in a JSON file that holds an object of feature flags, such as
    C({"new_checkout": true, "dark_mode": false}). Other keys in the file are kept as they are.
  - With O(state=present) the file is created when it does not exist; its directory must exist.
  - With O(state=absent) the flag is removed from the file; a missing file is left missing.
options:
  name:
    description:
      - Name of the flag, the key in the JSON object.
    type: str
    required: true
  enabled:
    description:
      - Whether the flag is on. Only used with O(state=present).
    type: bool
    default: true
  file:
    description:
      - Path of the JSON file that holds the flags.
    type: path
    required: true
    aliases: [path]
  state:
    description:
      - V(present) sets the flag to O(enabled); V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
author:
  - ansible-codegen contributors
"""

EXAMPLES = r"""
- name: Turn on the new checkout for the shop
  example.infra.feature_flag:
    name: new_checkout
    enabled: true
    file: /etc/shop/features.json

- name: Turn off dark mode
  example.infra.feature_flag:
    name: dark_mode
    enabled: false
    file: /etc/shop/features.json

- name: Remove a retired flag
  example.infra.feature_flag:
    name: beta_search
    file: /etc/shop/features.json
    state: absent
"""

RETURN = r"""
flags:
  description: All flags in the file after the module ran (or would have, in check mode).
  returned: always
  type: dict
  sample: {"new_checkout": true, "dark_mode": false}
previous:
  description: The value of the flag before the module ran; null when it was not set.
  returned: always
  type: bool
  sample: false
"""

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native


def read_flags(module, path):
    if not os.path.exists(path):
        return None
    try:
        with open(path, "r") as handle:
            text = handle.read()
    except (IOError, OSError) as exc:
        module.fail_json(msg="Cannot read %s: %s" % (path, to_native(exc)))
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        module.fail_json(msg="%s is not valid JSON: %s" % (path, to_native(exc)))
    if not isinstance(data, dict):
        module.fail_json(msg="%s must hold a JSON object, found %s" % (path, type(data).__name__))
    return data


def write_flags(module, path, flags):
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        module.fail_json(msg="The directory %s does not exist" % directory)
    fd, tmp = tempfile.mkstemp(prefix=".feature_flag.", dir=directory)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(json.dumps(flags, indent=2) + "\n")
    except (IOError, OSError) as exc:
        os.unlink(tmp)
        module.fail_json(msg="Cannot write %s: %s" % (path, to_native(exc)))
    module.atomic_move(tmp, path)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            enabled=dict(type="bool", default=True),
            file=dict(type="path", required=True, aliases=["path"]),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        supports_check_mode=True,
    )
    name = module.params["name"]
    path = module.params["file"]
    if not name:
        module.fail_json(msg="name must not be empty")

    existing = read_flags(module, path)
    before = dict(existing or {})
    after = dict(before)
    previous = before.get(name)

    if module.params["state"] == "present":
        after[name] = module.params["enabled"]
        changed = existing is None or before.get(name) is not module.params["enabled"] or name not in before
    else:
        after.pop(name, None)
        changed = name in before

    if changed and not module.check_mode:
        write_flags(module, path, after)

    result = dict(changed=changed, flags=after, previous=previous)
    if module._diff:
        result["diff"] = {
            "before": json.dumps(before, indent=2) + "\n" if existing is not None else "",
            "after": json.dumps(after, indent=2) + "\n" if (existing is not None or changed) else "",
            "before_header": path,
            "after_header": path,
        }
    module.exit_json(**result)


if __name__ == "__main__":
    main()
