#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: contributors to ansible-codegen
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: app_release
short_description: Deploy an application release directory and switch the current release
version_added: "1.0.0"
description:
  - Creates the release directory C(<path>/<name>/releases/<version>) for an application and points the
    C(<path>/<name>/current) symbolic link at it, the usual layout of release-based deployments.
  - Prunes the oldest releases so that at most O(keep_releases) remain; the current release is never removed.
  - With O(state=absent) removes the directory of that release, and the C(current) link when it points to it.
  - The module only manages the directory layout; copy or unpack the application files into RV(release_path)
    with other modules (for example M(ansible.builtin.unarchive)).
options:
  name:
    description:
      - Name of the application. The application directory is C(<path>/<name>).
    type: str
    required: true
  version:
    description:
      - Version of the release, used as the name of its directory under C(releases/).
    type: str
    required: true
  path:
    description:
      - Base directory that holds the application directories.
    type: path
    default: /opt/apps
  state:
    description:
      - V(present) creates the release and makes it the current one.
      - V(absent) removes the release directory.
    type: str
    choices: [present, absent]
    default: present
  keep_releases:
    description:
      - How many releases to keep, the current one included, when O(state=present).
      - Releases are ordered by version (natural sort, so C(1.10) is newer than C(1.9)); the oldest are removed first.
      - V(0) keeps every release.
    type: int
    default: 3
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
author:
  - ansible-codegen contributors
"""

EXAMPLES = r"""
- name: Deploy release 2.4.1 of the shop application
  example.infra.app_release:
    name: shop
    version: 2.4.1
  register: shop_release

- name: Unpack the release archive into the new release directory
  ansible.builtin.unarchive:
    src: shop-2.4.1.tar.gz
    dest: "{{ shop_release.release_path }}"

- name: Deploy the API under /srv/apps and keep the last five releases
  example.infra.app_release:
    name: api
    version: "{{ api_version }}"
    path: /srv/apps
    keep_releases: 5

- name: Remove a broken release
  example.infra.app_release:
    name: shop
    version: 2.4.0
    state: absent
"""

RETURN = r"""
app_path:
  description: The application directory.
  returned: always
  type: str
  sample: /opt/apps/shop
release_path:
  description: The directory of the release.
  returned: always
  type: str
  sample: /opt/apps/shop/releases/2.4.1
current_path:
  description: The symbolic link that points at the current release.
  returned: always
  type: str
  sample: /opt/apps/shop/current
previous_version:
  description: The release the C(current) link pointed to before the module ran, if any.
  returned: always
  type: str
  sample: 2.4.0
removed_releases:
  description: Versions whose directories were removed (or would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: ["2.3.9"]
releases:
  description: Versions present after the module ran, oldest first.
  returned: always
  type: list
  elements: str
  sample: ["2.4.0", "2.4.1"]
"""

import os
import re
import shutil

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

RELEASES = "releases"
CURRENT = "current"


def version_key(version):
    """Natural sort key: digit runs compare as numbers, so 1.10 sorts after 1.9."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", version) if part]


def valid_component(value):
    return bool(value) and value not in (".", "..") and "/" not in value and "\0" not in value


def current_version(current_path):
    """The release the current link points to, or None."""
    if not os.path.islink(current_path):
        return None
    target = os.readlink(current_path)
    parent, leaf = os.path.split(target.rstrip("/"))
    if os.path.basename(parent) != RELEASES:
        return None
    return leaf


def list_releases(releases_dir):
    if not os.path.isdir(releases_dir):
        return []
    return sorted(
        (entry for entry in os.listdir(releases_dir) if os.path.isdir(os.path.join(releases_dir, entry))),
        key=version_key,
    )


def switch_link(current_path, target):
    """Point current_path at target in one rename, so the link is never missing."""
    tmp = "%s.tmp-%d" % (current_path, os.getpid())
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(target, tmp)
    os.rename(tmp, current_path)


def present(module, releases_dir, release_path, current_path, version, keep):
    result = {"changed": False, "removed_releases": []}
    link_target = os.path.join(RELEASES, version)
    before_link = os.readlink(current_path) if os.path.islink(current_path) else None
    before_releases = list_releases(releases_dir)

    if os.path.exists(current_path) and not os.path.islink(current_path):
        module.fail_json(msg="%s exists and is not a symbolic link" % current_path)
    if os.path.exists(release_path) and not os.path.isdir(release_path):
        module.fail_json(msg="%s exists and is not a directory" % release_path)

    if not os.path.isdir(release_path):
        result["changed"] = True
        if not module.check_mode:
            os.makedirs(release_path, 0o755)
    if before_link != link_target:
        result["changed"] = True
        if not module.check_mode:
            switch_link(current_path, link_target)

    releases = list(before_releases)
    if version not in releases:
        releases = sorted(releases + [version], key=version_key)
    if keep > 0:
        others = [v for v in releases if v != version]
        excess = len(releases) - keep
        doomed = others[:excess] if excess > 0 else []
        for old in doomed:
            result["changed"] = True
            result["removed_releases"].append(old)
            if not module.check_mode:
                shutil.rmtree(os.path.join(releases_dir, old))
        releases = [v for v in releases if v not in doomed]
    result["releases"] = releases
    result["diff"] = {
        "before": {"current": before_link, "releases": before_releases},
        "after": {"current": link_target, "releases": releases},
    }
    return result


def absent(module, releases_dir, release_path, current_path, version):
    result = {"changed": False, "removed_releases": []}
    before_link = os.readlink(current_path) if os.path.islink(current_path) else None
    after_link = before_link
    before = list_releases(releases_dir)
    if os.path.lexists(release_path):
        result["changed"] = True
        result["removed_releases"].append(version)
        if not module.check_mode:
            if os.path.isdir(release_path) and not os.path.islink(release_path):
                shutil.rmtree(release_path)
            else:
                os.unlink(release_path)
    if current_version(current_path) == version:
        result["changed"] = True
        after_link = None
        if not module.check_mode:
            os.unlink(current_path)
    result["releases"] = [v for v in before if v != version]
    result["diff"] = {
        "before": {"current": before_link, "releases": before},
        "after": {"current": after_link, "releases": result["releases"]},
    }
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            version=dict(type="str", required=True),
            path=dict(type="path", default="/opt/apps"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            keep_releases=dict(type="int", default=3),
        ),
        supports_check_mode=True,
    )
    name = module.params["name"]
    version = module.params["version"]
    keep = module.params["keep_releases"]
    for label, value in (("name", name), ("version", version)):
        if not valid_component(value):
            module.fail_json(msg="%s must be a single, non-empty path component, got %r" % (label, value))
    if keep < 0:
        module.fail_json(msg="keep_releases must be 0 (keep all) or more, got %d" % keep)

    app_path = os.path.join(module.params["path"], name)
    releases_dir = os.path.join(app_path, RELEASES)
    release_path = os.path.join(releases_dir, version)
    current_path = os.path.join(app_path, CURRENT)
    previous = current_version(current_path)

    try:
        if module.params["state"] == "present":
            result = present(module, releases_dir, release_path, current_path, version, keep)
        else:
            result = absent(module, releases_dir, release_path, current_path, version)
    except (IOError, OSError) as exc:
        module.fail_json(msg="Failed to manage release %s of %s: %s" % (version, name, to_native(exc)))

    if not module._diff:
        result.pop("diff", None)
    module.exit_json(
        app_path=app_path,
        release_path=release_path,
        current_path=current_path,
        previous_version=previous,
        **result
    )


if __name__ == "__main__":
    main()
