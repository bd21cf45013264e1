"""Does a play need `become`? The first task that needs root, and why (a module, a command, a path)."""
from __future__ import annotations

import re

import yaml

from codegen.ansible_files.walk import flatten_tasks, map_tasks
from codegen.assemble.snippets import args_dict, checked_edit, module_of, parse_tasks, short_name

# Modules (by short name) that change the system and so normally run as root.
_ROOT_MODULES = frozenset({
    # package managers and repositories
    "package", "apt", "apt_key", "apt_repository", "deb822_repository", "dpkg_selections", "yum",
    "yum_repository", "dnf", "dnf5", "rpm_key", "zypper", "zypper_repository", "pacman", "apk", "snap",
    "flatpak", "flatpak_remote", "portage", "pkgng", "opkg", "swupd", "xbps", "urpmi", "rhsm_repository",
    "redhat_subscription", "copr", "apt_rpm",
    # services
    "service", "systemd", "systemd_service", "sysvinit", "runit", "svc",
    # users and groups
    "user", "group", "sudoers", "pam_limits", "pamd",
    # firewall, network, kernel, storage, system settings
    "firewalld", "firewalld_info", "ufw", "iptables", "iptables_state", "seboolean", "selinux",
    "sefcontext", "seport", "selogin", "mount", "sysctl", "modprobe", "kernel_blacklist", "hostname",
    "timezone", "locale_gen", "lvg", "lvol", "filesystem", "parted", "reboot",
    "alternatives", "capabilities", "nmcli", "interfaces_file", "debconf", "crypttab", "xfs_quota", "zfs",
    "lvm_pv", "open_iscsi",
})

# Read-only modules: a path under /etc in their arguments does not mean they need root.
_READ_ONLY = frozenset({
    "stat", "slurp", "find", "fetch", "debug", "assert", "set_fact", "wait_for", "setup", "service_facts",
    "package_facts", "getent", "include_tasks", "import_tasks", "include_role", "import_role", "include_vars",
    "fail", "meta", "pause", "ping", "uri", "tempfile", "add_host", "group_by",
})

_ROOT_PREFIXES = ("/etc", "/usr", "/opt", "/var", "/srv", "/boot", "/lib", "/lib64", "/root", "/bin", "/sbin",
                  "/sys", "/proc")
_USER_PREFIXES = ("/var/tmp", "/tmp", "/var/folders")
_PATH_KEYS = ("dest", "path", "file", "dest_path", "creates", "project_path")

# Default paths of modules whose path option has a root-owned default.
_DEFAULT_PATHS = {"app_release": "/opt/apps"}

# First word of a command that needs root.
_ROOT_COMMANDS = frozenset({
    "apt", "apt-get", "aptitude", "dpkg", "yum", "dnf", "rpm", "zypper", "pacman", "apk", "snap", "systemctl",
    "service", "useradd", "usermod", "userdel", "groupadd", "groupmod", "groupdel", "chpasswd", "mount",
    "umount", "modprobe", "sysctl", "update-ca-certificates", "update-alternatives", "update-grub", "ufw",
    "firewall-cmd", "iptables", "ip6tables", "nft", "reboot", "shutdown", "visudo", "mkfs", "fdisk", "parted",
    "swapon", "swapoff", "hostnamectl", "timedatectl", "localectl", "setenforce", "restorecon", "semanage",
    "setsebool", "ldconfig", "depmod", "dracut", "update-initramfs", "grub2-mkconfig", "a2enmod", "a2ensite",
    "a2dismod", "a2dissite", "certbot",
})


def _under_root_dir(path) -> bool:
    if not isinstance(path, str):
        return False
    path = path.strip()
    if path.startswith(_USER_PREFIXES):
        return False
    return any(path == p or path.startswith(p + "/") for p in _ROOT_PREFIXES)


def _command_words(args) -> list[str]:
    if isinstance(args, str):
        text = args
    elif isinstance(args, dict):
        if isinstance(args.get("argv"), list):
            return [str(a) for a in args["argv"]]
        text = str(args.get("cmd") or args.get("_raw_params") or "")
    else:
        return []
    return text.split()


def root_reason(task: dict) -> str | None:
    """Why this task needs root, or None. Tasks that set `become` themselves decide for themselves."""
    if "become" in task:
        return None
    module, args = module_of(task)
    if task.get("become_user") and module:
        return f"sets become_user {task['become_user']} (which only applies under become)"
    if module is None:
        return None
    short = short_name(module)
    argd = args_dict(args)
    if short in ("systemd", "systemd_service") and str(argd.get("scope", "system")) != "system":
        return None
    if short == "pip":
        extra = str(argd.get("extra_args") or "")
        if argd.get("virtualenv") or "--user" in extra:
            return None
        return f"uses {module} without a virtualenv"
    if short == "cron":
        return f"uses {module} for another user" if argd.get("user") or argd.get("cron_file") else None
    if short in _ROOT_MODULES:
        return f"uses {module}"
    if short in ("command", "shell", "raw"):
        words = _command_words(args)
        if words and words[0].rsplit("/", 1)[-1] in _ROOT_COMMANDS:
            return f"runs {words[0]}"
        if _under_root_dir(argd.get("creates")):
            return f"creates {argd['creates']}"
        return None
    if short in _READ_ONLY:
        return None
    for key in _PATH_KEYS:
        if _under_root_dir(argd.get(key)):
            return f"writes {argd[key]}"
    if short in _DEFAULT_PATHS and not argd.get("path"):
        return f"writes {_DEFAULT_PATHS[short]}"
    if short in ("copy", "template", "file", "lineinfile", "blockinfile", "replace", "get_url", "unarchive", "git"):
        # name: is an alias of path for the file-editing modules
        if _under_root_dir(argd.get("name")):
            return f"writes {argd['name']}"
    return None


def infer_become(tasks: list[dict]) -> tuple[bool, str | None]:
    """(needs root, the reason, naming the first task that needs it)."""
    for task in flatten_tasks(tasks):
        reason = root_reason(task)
        if reason:
            return True, f"become: true because task {task.get('name', '(unnamed)')!r} {reason}"
    return False, None


_BECOME_TRUE = re.compile(r"^ +become: *(?:true|True|yes) *$")


def _inherits(tasks: list) -> list:
    """The parsed tasks with `become: true` left out where the play's own says it already (a task
    that also names become_user or a become method keeps it, as written)."""
    def edit(task: dict) -> dict:
        if task.get("become") is True and not any(k.startswith("become_") for k in task):
            del task["become"]
        return task

    return map_tasks(tasks, edit)


def drop_inherited_become(text: str) -> str:
    """A snippet under a play with `become: true`, without the tasks' own `become: true` lines
    (they repeat the play's); the text as it was where its layout is not a plain key line."""
    tasks = parse_tasks(text)
    expected = _inherits(tasks)
    if expected == tasks:
        return text
    lines = text.split("\n")
    for number in reversed(range(len(lines))):  # one line at a time: a become_user task's line stays
        if _BECOME_TRUE.match(lines[number]):
            trial = lines[:number] + lines[number + 1:]
            if _same(trial, expected):
                lines = trial
    edited = checked_edit(lambda: "\n".join(lines), expected)
    return edited if edited is not None else text


def _same(lines: list[str], expected: list) -> bool:
    """Do these lines parse to tasks that mean `expected` once inherited becomes are left out?"""
    try:
        return _inherits(parse_tasks("\n".join(lines))) == expected
    except (ValueError, yaml.YAMLError):
        return False
