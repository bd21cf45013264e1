"""Values a request gives the options of a module the model never saw (codegen/grounding/slots.py)."""
import pytest

from codegen.catalog.store import ModuleDoc
from codegen.grounding.slots import fill, read, tokens


def doc(name, options):
    return ModuleDoc(fqcn=f"team.infra.{name}", collection="team.infra", short_description="", description="",
                     options=options, path="")


STATE = {"type": "str", "choices": ["present", "absent"], "default": "present", "description": "Whether it exists."}
MIRROR = doc("mirror", {
    "name": {"type": "str", "required": True, "description": "Name of the mirror."},
    "upstream": {"type": "str", "description": "URL the mirror copies."},
    "size_gb": {"type": "int", "description": "Disk given to the mirror."},
    "signed": {"type": "bool", "default": True, "description": "Whether packages must be signed."},
    "enabled": {"type": "bool", "default": True, "description": "Whether the mirror syncs."},
    "owners": {"type": "list", "elements": "str", "description": "Teams that own the mirror."},
    "state": STATE})
WINDOW = doc("window", {
    "service": {"type": "str", "required": True, "description": "Name of the service."},
    "window_id": {"type": "str", "required": True, "description": "Identifier of the window."},
    "duration_minutes": {"type": "int", "description": "Length of the window."},
    "state": {"type": "str", "choices": ["open", "closed"], "default": "open"}})


@pytest.mark.parametrize("request_text, expected", [
    # "<cue> <value>", the module's own noun naming `name`
    ("create the mirror debian-main", {"name": "debian-main"}),
    # "<value> <cue>", a unit word of the option, an own cue followed by a connector
    ("create the ubuntu mirror with size gb of 200", {"name": "ubuntu", "size_gb": 200}),
    # state from the verb; a boolean from its word and the negation before it
    ("remove the mirror old-centos", {"name": "old-centos", "state": "absent"}),
    ("create the mirror alpine with no signed packages", {"name": "alpine", "signed": False}),
    ("disable the mirror fedora", {"name": "fedora", "enabled": False}),
    # a list after its cue; quoted text is one value
    ("create the mirror 'rocky 9' with owners infra and security", {"name": "rocky 9", "owners": ["infra", "security"]}),
])
def test_values_are_read_against_the_documentation(request_text, expected):
    assert read(MIRROR, request_text) == expected


def test_choices_come_from_the_request_words_and_a_required_option_takes_a_leftover_value():
    assert read(WINDOW, "close the maintenance window mw-1234 of the billing service") == \
        {"service": "billing", "window_id": "mw-1234", "state": "closed"}


def test_nothing_is_read_from_a_request_that_does_not_speak_of_the_options():
    assert read(MIRROR, "make it faster") == {}
    assert read(WINDOW, "please do it now") == {}
    assert read(WINDOW, "create the window release notes").get("state") is None  # "release" here is no verb


def test_a_secret_the_request_gives_is_read_like_any_value():
    # the task then carries `no_log: true` (Choice.fill, tests/test_private_collections.py)
    secret = doc("secret", {"name": {"type": "str", "required": True},
                            "value": {"type": "str", "no_log": True, "description": "The secret value."}})
    assert read(secret, "store the secret db with value {{ vault_db }}") == {"name": "db", "value": "{{ vault_db }}"}


def test_a_five_field_schedule_and_a_sentence_stop_are_tokens():
    assert [t.text for t in tokens("run it at 0 1 * * * on host-1.")] == ["run", "it", "at", "0 1 * * *", "on", "host-1"]
    assert [t.text for t in tokens("deploy 2.3.1.")][-1] == "2.3.1"


def test_fill_sets_what_the_request_says_and_drops_invented_templates():
    args = {"name": "shop_events", "size_gb": "{{ item.size }}", "upstream": "{{ mirror_url }}"}
    notes = fill(args, MIRROR, {"name": "debian-main", "state": "absent"}, known={"mirror_url"})
    assert args == {"name": "debian-main", "upstream": "{{ mirror_url }}", "state": "absent"}
    assert len(notes) == 3 and any("size_gb" in n for n in notes)


FIREWALL = doc("firewall_rule", {
    "src_cidr": {"type": "str", "required": True, "aliases": ["source"], "description": "Network allowed in."},
    "dst_cidr": {"type": "str", "required": True, "description": "Network reached."},
    "port": {"type": "int", "description": "Destination port."},
    "action": {"type": "str", "choices": ["allow", "deny"], "default": "allow"},
    "owner_email": {"type": "str", "description": "Who to ask about the rule."},
    "state": STATE})
LOGLEVEL = doc("log_level", {
    "service": {"type": "str", "required": True, "description": "Service whose logging changes."},
    "level": {"type": "str", "required": True, "choices": ["debug", "info", "warning", "error"]},
    "instances": {"type": "list", "elements": "str", "description": "Only these instances."}})
CONFIG = doc("app_config", {
    "app": {"type": "str", "required": True, "aliases": ["application"], "description": "Application name."},
    "key": {"type": "str", "required": True, "description": "Dotted configuration key."},
    "value": {"type": "str", "description": "Value to set."}})


@pytest.mark.parametrize("module, request_text, expected", [
    # direction words for source and destination; a port after its protocol; a choice's synonym
    (FIREWALL, "block tcp 22 from 10.9.0.0/16 to 10.200.0.0/16",
     {"src_cidr": "10.9.0.0/16", "dst_cidr": "10.200.0.0/16", "port": 22, "action": "deny"}),
    # a value's shape and the option's name: an e-mail for owner_email; removal verbs
    (FIREWALL, "get rid of the rule from 10.1.0.0/16 into 10.2.0.0/24, owner ops@corp.example",
     {"src_cidr": "10.1.0.0/16", "dst_cidr": "10.2.0.0/24", "owner_email": "ops@corp.example", "state": "absent"}),
    # a possessive names the required subject; a choice's stem ("warnings"); a list after its cue
    (LOGLEVEL, "set billing's log level to warnings on instances bill-1 and bill-2",
     {"service": "billing", "level": "warning", "instances": ["bill-1", "bill-2"]}),
    # "X = Y" for an option named value; "the <value> <noun>" before the module's noun
    (CONFIG, 'add key "reports.bucket" = "exports-prod" to the reporting app',
     {"key": "reports.bucket", "value": "exports-prod", "app": "reporting"}),
])
def test_shapes_directions_possessives_and_phrases(module, request_text, expected):
    assert read(module, request_text) == expected


def test_fill_drops_a_choice_or_switch_nobody_asked_for_and_keeps_the_requests_spelling():
    args = {"name": "Debian-Main", "state": "absent", "signed": False, "enabled": True}
    notes = fill(args, MIRROR, {"name": "debian-main"}, known=set())
    assert args == {"name": "debian-main", "enabled": True}  # enabled: true is the default: kept
    assert any("state" in n for n in notes) and any("signed" in n for n in notes)


PROFILE = doc("transcode_profile", {
    "name": {"type": "str", "required": True, "description": "Name of the profile."},
    "bitrate_kbps": {"type": "int", "description": "Target bitrate."},
    "keyframe_interval_s": {"type": "int", "description": "Seconds between keyframes."},
    "origin": {"type": "str", "description": "Origin server."},
    "start_at": {"type": "str", "description": "When it first applies."},
    "state": STATE})


@pytest.mark.parametrize("request_text, expected", [
    # a unit glued or not; two options of one unit told apart by the words before
    ("create the profile web-720 at 2500kbps with a keyframe every 4 s",
     {"name": "web-720", "bitrate_kbps": 2500, "keyframe_interval_s": 4}),
    # "named X" goes to the option that holds the name, not to the noun before it; a timestamp's shape
    ("add an origin named edge-2 starting 2025-01-31T10:00:00Z", {"name": "edge-2", "start_at": "2025-01-31T10:00:00Z"}),
    # no value across a comma; "remove" as a verb starts a clause
    ("the legacy profile, remove it", {"name": "legacy", "state": "absent"}),
])
def test_units_timestamps_names_and_clauses(request_text, expected):
    assert read(PROFILE, request_text) == expected


FEED = doc("lab_feed", {
    "name": {"type": "str", "required": True, "description": "Name of the feed."},
    "owners": {"type": "list", "elements": "str", "description": "People who own the feed."},
    "reviewers": {"type": "list", "elements": "str", "description": "People who approve changes."},
    "systems": {"type": "list", "elements": "str", "choices": ["widevine", "fairplay", "playready"],
                "description": "Systems allowed."},
    "older_than_h": {"type": "int", "description": "Age limit."},
    "remote_host": {"type": "str", "description": "Host to send to."},
    "remote_port": {"type": "int", "description": "Port on the remote host."},
    "send_invite": {"type": "bool", "default": True, "description": "Whether to mail an invite."},
    "state": {"type": "str", "choices": ["present", "absent", "disabled"], "default": "present"}})


@pytest.mark.parametrize("request_text, expected", [
    # a list after "by"; a list before "as <cue>"; a list of choices in the request's order
    ("create the feed results-out owned by akhan and rbell", {"name": "results-out", "owners": ["akhan", "rbell"]}),
    ("create the feed results-out with mlee and okoroma as reviewers",
     {"name": "results-out", "reviewers": ["mlee", "okoroma"]}),
    ("create the feed drm-a for fairplay and widevine only", {"name": "drm-a", "systems": ["fairplay", "widevine"]}),
    # a time in another unit is converted; number words count
    ("create the feed old-x with a limit of older than 3 days", {"name": "old-x", "older_than_h": 72}),
    ("create the feed old-y, older than two hours", {"name": "old-y", "older_than_h": 2}),
    # a host:port split between a host option and a port option
    ("create the feed ice pointing to ice-gw.example.org:2575", {"name": "ice", "remote_host": "ice-gw.example.org",
                                                                "remote_port": 2575}),
    # negation three words back; "turn off" picks the off state; passive and "take ... out" remove
    ("create the feed q1, don't email an invite", {"name": "q1", "send_invite": False}),
    ("turn off the HSL-2 feed until the audit", {"name": "HSL-2", "state": "disabled"}),
    ("The legacy ORM_LEGACY feed is no longer needed and should be deleted.", {"name": "ORM_LEGACY", "state": "absent"}),
    ("take the old-3 feed out of the config", {"name": "old-3", "state": "absent"}),
    # pronouns and particles are no values
    ("close out the audit-24 feed", {"name": "audit-24"}),
    # one capital letter inside the request is a value, not the article
    ("lock feed B now", {"name": "B"}),
])
def test_lists_units_states_and_leftovers(request_text, expected):
    assert read(FEED, request_text) == expected


def test_a_clear_value_comes_before_a_plain_word_in_front_of_the_modules_noun():
    key = doc("stream_key", {"channel_id": {"type": "str", "required": True, "description": "Channel of the key."}})
    assert read(key, "someone leaked the ingest key for ch-sports-3") == {"channel_id": "ch-sports-3"}
    assert read(key, "rotate the sports key") == {"channel_id": "sports"}


def test_fill_drops_values_the_request_never_gives_or_gives_another_option():
    request = "create the feed old-archive owned by akhan and rbell, older than 5 hours"
    slots = read(FEED, request)
    args = {"name": "old-archive", "remote_host": "old-archive", "reviewers": ["akha", "rbl"], "remote_port": 2024,
            "owners": ["akhan", "rbell"], "older_than_h": 5}
    notes = fill(args, FEED, slots, known=set(), request=request)
    assert args == {"name": "old-archive", "owners": ["akhan", "rbell"], "older_than_h": 5}
    assert len([n for n in notes if "does not give it" in n]) == 3
    kept = {"name": "old-archive", "remote_host": "relay.example.org"}  # said in the request, by no cue: kept
    fill(kept, FEED, {"name": "old-archive"}, known=set(), request="create the feed old-archive via relay.example.org")
    assert kept["remote_host"] == "relay.example.org"


def test_a_label_a_compound_name_and_a_place_after_the_cue():
    freeze = doc("deploy_freeze", {"app": {"type": "str", "required": True, "description": "Application to freeze."},
                                   "reason": {"type": "str", "description": "Why deployments are frozen."}})
    assert read(freeze, "freeze deploys of payments-api, reason: quarter-end close") == \
        {"app": "payments-api", "reason": "quarter-end close"}
    member = doc("lb_member", {"pool": {"type": "str", "required": True, "description": "Pool name."},
                               "member": {"type": "str", "required": True, "description": "Host of the server."}})
    assert read(member, "drain api-03.internal from the checkout-pool load balancer pool") == \
        {"pool": "checkout-pool", "member": "api-03.internal"}
    silence = doc("alert_silence", {"alert": {"type": "str", "required": True, "description": "Name of the alert rule."},
                                    "instance": {"type": "str", "description": "Only for this host."}})
    assert read(silence, "silence the DiskFull alert on db-02") == {"alert": "DiskFull"}


def test_a_verb_with_a_particle_and_a_record_pointing_somewhere():
    rollback = doc("release_rollback", {"app": {"type": "str", "required": True, "description": "Application."},
                                        "to_version": {"type": "str", "description": "Version to go back to."}})
    assert read(rollback, "roll back checkout to 3.9.1") == {"app": "checkout", "to_version": "3.9.1"}
    record = doc("dns_record", {"record": {"type": "str", "required": True, "description": "Record name."},
                                "value": {"type": "str", "description": "What the record holds."}})
    assert read(record, "add a record named docs pointing to pages.corp.example") == \
        {"record": "docs", "value": "pages.corp.example"}


def test_fill_writes_numbers_as_numbers_and_drops_a_constant_in_braces():
    args = {"name": "edge", "bitrate_kbps": "900", "keyframe_interval_s": "{{ 12000000 }}"}
    fill(args, PROFILE, {"name": "edge", "bitrate_kbps": 900}, known=set(), request="create the profile edge at 900 kbps")
    assert args == {"name": "edge", "bitrate_kbps": 900}


def test_what_the_review_of_the_new_rules_found():
    user = doc("user", {"name": {"type": "str", "required": True, "description": "Name of the user."},
                        "password": {"type": "str", "required": True, "no_log": True}})
    assert read(user, "create user alice on host web-01") == {"name": "alice"}  # a secret is never a leftover
    assert read(MIRROR, "pull the mirror debian-main")["name"] == "debian-main"
    assert "state" not in read(MIRROR, "pull the mirror debian-main")  # "pull" alone fetches
    assert "state" not in read(MIRROR, "create the mirror debian-main; packages are released nightly")
    assert read(MIRROR, "Create the mirror x. A backup is needed") == {"name": "x"}  # a sentence's first letter
    link = doc("link", {"name": {"type": "str", "required": True, "description": "Link name."},
                        "status": {"type": "str", "choices": ["up", "down"]},
                        "host": {"type": "str", "description": "Host."}, "port": {"type": "int"}})
    assert read(link, "bring link wan-1 down") == {"name": "wan-1", "status": "down"}
    assert "port" not in read(link, "create the link t1 to db-02 and run it at 18:00")  # a clock time is no host:port
    report = doc("report", {"name": {"type": "str", "required": True, "description": "Name of the report."},
                            "frequency": {"type": "str", "choices": ["hourly", "daily", "monthly"]},
                            "owner": {"type": "str", "description": "Who owns it."}})
    assert read(report, "create the report r1 covering the last 48 hours") == {"name": "r1"}
    assert read(report, "create the report r1, run it every month") == {"name": "r1", "frequency": "monthly"}
    assert "owner" not in read(report, "create the report r1 and the owner should be notified")
