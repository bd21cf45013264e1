"""Which modules can do what a step asks: module families by short name, and the rules that read
them off a step's words ("Install nginx" -> a package manager; "Open port 80" -> a firewall)."""
from __future__ import annotations

import re

from codegen.ansible_files.module_families import PACKAGE_MODULES, SERVICE_MODULES

PACKAGE = PACKAGE_MODULES
SERVICE = SERVICE_MODULES
FIREWALL = frozenset({"firewalld", "ufw", "iptables"})
FILES = frozenset({"copy", "template"})
EDIT = frozenset({"lineinfile", "blockinfile", "replace", "ini_file"}) | FILES
RUN = frozenset({"command", "shell", "script"})

# The module a retry names, per family (the first of a family the step fits).
PREFERRED = {"package": "ansible.builtin.package", "service": "ansible.builtin.service",
             "template": "ansible.builtin.template", "copy": "ansible.builtin.copy",
             "lineinfile": "ansible.builtin.lineinfile", "firewalld": "ansible.posix.firewalld",
             "ufw": "community.general.ufw", "user": "ansible.builtin.user", "group": "ansible.builtin.group",
             "authorized_key": "ansible.posix.authorized_key", "get_url": "ansible.builtin.get_url",
             "unarchive": "ansible.builtin.unarchive", "cron": "ansible.builtin.cron", "git": "ansible.builtin.git",
             "mysql_db": "community.mysql.mysql_db", "mysql_user": "community.mysql.mysql_user",
             "postgresql_db": "community.postgresql.postgresql_db",
             "postgresql_user": "community.postgresql.postgresql_user",
             "docker_container": "community.docker.docker_container", "docker_image": "community.docker.docker_image",
             "sysctl": "ansible.posix.sysctl", "mount": "ansible.posix.mount", "hostname": "ansible.builtin.hostname",
             "timezone": "community.general.timezone", "reboot": "ansible.builtin.reboot",
             "command": "ansible.builtin.command", "apt_repository": "ansible.builtin.apt_repository",
             "selinux": "ansible.posix.selinux", "seboolean": "ansible.posix.seboolean", "file": "ansible.builtin.file",
             "wait_for": "ansible.builtin.wait_for", "pip": "ansible.builtin.pip",
             "sudoers": "community.general.sudoers"}

# (pattern on the step's text, families). First match wins: specific objects before plain verbs.
# "{db}" is filled from the whole request (the step "create a database" of a postgres request).
_RULES: list[tuple[str, frozenset | str]] = [
    (r"(?<![-\w])pip3?\b(?!-)|\bpython packages?\b|\bvirtualenv\b", frozenset({"pip"})),
    (r"\b(pull|build)\b.*\bimages?\b", frozenset({"docker_image", "podman_image", "docker_container",
                                                  "podman_container"})),
    (r"\bcontainers?\b", frozenset({"docker_container", "podman_container"})),
    (r"\bcron\b|\bcrontab\b|\bschedule\b|\bevery (night|day|hour|minute|week|sunday|monday|tuesday|wednesday|"
     r"thursday|friday|saturday)\b", frozenset({"cron"})),
    # a command to run, whatever it installs ("Run npm install in /srv/api" is not a package task)
    (r"^(run|execute)\b", RUN | frozenset({"npm", "yarn", "make", "gem", "composer", "pip"})),
    (r"\b(db|database|mysql|mariadb|postgres|postgresql|sql)\s+(user|role|login)s?\b", "db_user"),
    (r"\b(create|add|drop|remove|delete)\b.*\bdatabases?\b", "db"),
    (r"\bsudo\b|\bsudoers\b", frozenset({"sudoers", "lineinfile", "copy", "template"})),
    (r"\b(ssh|public)\s+keys?\b|\bauthorized[ _]keys?\b|\b\w+\.pub\b", frozenset({"authorized_key"})),
    (r"\bhome director(y|ies)\b", frozenset({"user", "file"})),
    # the thing created is a directory, whoever owns it ("the directory /srv/b owned by the backup user")
    (r"\b(create|make)\s+(an?\s+|the\s+)?(\w+\s+)?(director(y|ies)|folders?|dirs?)\b", frozenset({"file"})),
    # a line of a file, not a package ("remove the swap line from /etc/fstab"); fstab also by mount
    (r"\bfstab\b", EDIT | frozenset({"mount"})),
    (r"\blines?\b.*\b(from|in|to|of|into)\s+\S*(/|\.conf\b|\.cfg\b|\.ini\b)", EDIT),
    (r"\b(create|add|remove|delete)\b.*\busers?\b(?!\s+to\b)", frozenset({"user"})),
    (r"\b(add|put)\b.*\bto\b.*\bgroups?\b", frozenset({"user"})),
    (r"\b(create|add|remove|delete)\b.*\bgroups?\b", frozenset({"group"})),
    (r"^install\b.*\s(to|into)\s+/", FILES),
    (r"^(install|uninstall|purge|upgrade)\b|^remove\b.*\bpackages?\b", PACKAGE),
    (r"^(start|stop|restart|enable|disable)\s+(and\s+\w+\s+)?(the\s+)?firewalld\b", SERVICE),
    (r"\b(clone|checkout|check out)\b|\bgit\s+(repo|repository)\b", frozenset({"git"})),
    (r"\b(add|enable|configure)\b.*\b(repository|repo|ppa)\b", frozenset({"apt_repository", "deb822_repository",
                                                                          "yum_repository"})),
    (r"\b(download|fetch)\b.*\b(extract|unpack|unarchive|untar|unzip)", frozenset({"get_url", "unarchive"})),
    (r"\b(download|fetch)\b", frozenset({"get_url", "uri"})),
    (r"\b(unpack|extract|unarchive|untar|unzip)\b", frozenset({"unarchive"})),
    (r"\bsym(bolic )?links?\b|\blink\b", frozenset({"file"})),
    (r"\bmount\b", frozenset({"mount"})),
    (r"\b(reboot|restart)\s+(the\s+|all\s+)?(machine|server|host|system|box|node)s?\b|^reboot\b",
     frozenset({"reboot"})),
    (r"\bwait\b", frozenset({"wait_for", "uri"})),
    (r"\bhostname\b", frozenset({"hostname"})),
    (r"\btime ?zone\b", frozenset({"timezone"})),
    (r"\bselinux\b|\bsebool", frozenset({"selinux", "seboolean"})),
    (r"\bhttpd\b.*\bnetwork connect", frozenset({"seboolean"})),
    (r"\bsysctl\b|\bip forwarding\b|\bswappiness\b|\b(vm|net|kernel|fs)\.[a-z_.]+|\bkernel param",
     frozenset({"sysctl"})),
    (r"\breload\b.*\bfirewalld\b", FIREWALL | SERVICE | RUN),
    (r"\bufw\b|\bfirewalld?\b|\biptables\b|\b(open|allow|close|deny|block)\b.*\bports?\b|\bports?\b.*\b(open|allow)",
     FIREWALL),
    (r"\b(allow|deny|open)\b.*\b(ssh|https?|traffic)\b", FIREWALL),
    # who may read or write a path is the path's mode and owner, not a file's content
    (r"\b(permissions?|(read|write) access|owner(ship)?|writable|readable|executable|chmod|chown)\b",
     frozenset({"file", "acl"})),
    (r"\b(disable|enable|set|configure|change)\b.*\b(login|authentication|option|setting|directive|parameter)\b"
     r"|\b(set|change|configure|edit|add)\b.*\bin\s+\S*(/|\.conf|\.ini|\.cfg)", EDIT),
    (r"\b(start|stop|restart|reload|enable|disable|bounce)\b|\bkeep\b.*\brunning\b|\b(is|are) (running|started|"
     r"enabled|stopped)\b|\bat boot\b", SERVICE),
    (r"\b(install|remove|uninstall|purge|upgrade|update)\b", PACKAGE),
    (r"\btemplates?\b|\.j2\b", frozenset({"template", "copy"})),
    (r"\b(create|make)\b.*\b(director(y|ies)|folders?|dirs?)\b|\b(create|make)\s+/", frozenset({"file"})),
    (r"\b(copy|upload|deploy|put|place|write|push|install)\b", FILES | frozenset({"lineinfile", "blockinfile"})),
    (r"\b(set|configure|change|edit|tune)\b", EDIT),
    (r"\b(delete|remove)\b.*(/|\bfiles?\b)", frozenset({"file"})),
    (r"\b(run|execute)\b", RUN),
]
_COMPILED = [(re.compile(p, re.IGNORECASE), f) for p, f in _RULES]


def families_for(step: str, request: str = "") -> frozenset | None:
    """The modules (short names) that can do what the step asks; None when the code cannot tell."""
    text = " ".join(step.lower().split())
    context = request.lower()
    for pattern, fits in _COMPILED:
        if not pattern.search(text):
            continue
        if fits in ("db", "db_user"):
            kind = "db" if fits == "db" else "user"
            postgres = bool(re.search(r"postgres", text + " " + context))
            mysql = bool(re.search(r"mysql|mariadb", text + " " + context))
            names = {"db": ("mysql_db", "postgresql_db"), "user": ("mysql_user", "postgresql_user")}[kind]
            if postgres and not mysql:
                return frozenset({names[1]})
            if mysql and not postgres:
                return frozenset({names[0]})
            return frozenset(names)
        return fits
    return None
