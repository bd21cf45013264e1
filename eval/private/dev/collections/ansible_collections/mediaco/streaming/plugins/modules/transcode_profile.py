#!/usr/bin/python
# -*- coding: utf-8 -*-
# Internal module of the MediaCo Video Platform team. Not published.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: transcode_profile
short_description: Manage encoding ladder profiles in the MediaCo transcoder farm
description:
  - Creates, updates or deletes a named transcoding profile used by the packaging pipeline.
  - A profile describes one rendition (codec, resolution, bitrate) that uploaded assets are encoded into.
options:
  name:
    description: Unique name of the profile, for example C(mobile-720p).
    type: str
    required: true
    aliases: [profile]
  codec:
    description: Video codec of the rendition.
    type: str
    choices: [h264, h265, av1, vp9]
    default: h264
  bitrate_kbps:
    description: Target average video bitrate in kilobits per second.
    type: int
  resolution:
    description: Output frame height preset.
    type: str
    choices: [480p, 720p, 1080p, 2160p]
    default: 1080p
  audio_codec:
    description: Audio codec of the rendition.
    type: str
    choices: [aac, opus, ac3]
    default: aac
  keyframe_interval_s:
    description: Seconds between forced keyframes (GOP length).
    type: int
    default: 2
  hdr:
    description: Whether the rendition keeps HDR10 metadata.
    type: bool
    default: false
  state:
    description: Whether the profile exists.
    type: str
    choices: [present, absent]
    default: present
author:
  - MediaCo Video Platform Team
"""

EXAMPLES = r"""
- name: Mobile rendition for the ladder
  mediaco.streaming.transcode_profile:
    name: mobile-720p
    codec: h264
    resolution: 720p
    bitrate_kbps: 2500

- name: 4K HDR rendition in HEVC
  mediaco.streaming.transcode_profile:
    name: uhd-hdr
    codec: h265
    resolution: 2160p
    bitrate_kbps: 16000
    hdr: true

- name: Drop the old SD profile
  mediaco.streaming.transcode_profile:
    name: legacy-sd
    state: absent
"""

RETURN = r"""
profile_id:
  description: Identifier of the profile in the transcoder farm.
  returned: when state is present
  type: str
  sample: tp-0a91c
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True, aliases=['profile']),
            codec=dict(type='str', choices=['h264', 'h265', 'av1', 'vp9'], default='h264'),
            bitrate_kbps=dict(type='int'),
            resolution=dict(type='str', choices=['480p', '720p', '1080p', '2160p'], default='1080p'),
            audio_codec=dict(type='str', choices=['aac', 'opus', 'ac3'], default='aac'),
            keyframe_interval_s=dict(type='int', default=2),
            hdr=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
