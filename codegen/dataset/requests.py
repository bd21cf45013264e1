"""Requests as people type them, made from a task's name and its arguments.

Documentation titles ("Create a directory if it does not exist") are not how people ask;
these rules give lower-case imperative requests ("make sure /srv/app exists owned by deploy")
so the model learns to answer the way it will be asked.
"""
from __future__ import annotations

import random
import re

_ARTICLE = re.compile(r"\b(the|a|an)\s+", re.I)


def casual(name: str) -> str:
    """'Install the Nginx package.' -> 'install the Nginx package'."""
    text = name.strip().rstrip(".").strip()
    first = text.split(" ", 1)[0]
    if first and not first.isupper():
        text = text[0].lower() + text[1:]
    return text


def terse(name: str) -> str:
    """Drop articles and 'ensure that'; people type short."""
    text = casual(name)
    text = re.sub(r"^(ensure|make sure)( that)?\s+", "", text, flags=re.I)
    return _ARTICLE.sub("", text).strip()


def _plain(value) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, list) and value and all(isinstance(v, (str, int)) for v in value) and len(value) <= 4:
        items = [str(v) for v in value]
        return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]
    if isinstance(value, (str, int)):
        text = str(value)
        if "{{" in text or "\n" in text or len(text) > 80:
            return None
        return text
    return None


def from_args(fqcn: str, args, rng: random.Random) -> str | None:
    """A request made from what the task does, for the modules people use most."""
    short = fqcn.rsplit(".", 1)[-1]
    if not isinstance(args, dict):
        if short in ("command", "shell") and isinstance(args, str) and "{{" not in args and len(args) < 70:
            return rng.choice(["run ", "execute ", "run the command "]) + args.strip()
        return None
    a = {k: _plain(v) for k, v in args.items()}
    state = str(args.get("state", "") or "")
    name = a.get("name") or a.get("pkg")
    path = a.get("path") or a.get("dest") or a.get("name")
    owner = a.get("owner")
    if short in ("package", "apt", "dnf", "yum", "pip", "apk", "zypper", "pacman", "homebrew", "snap", "npm", "gem") and name:
        extra = {"pip": " python package", "npm": " npm package", "gem": " ruby gem", "snap": " snap"}.get(short, "")
        if state == "absent":
            return rng.choice(["remove", "uninstall"]) + f"{extra} {name}"
        if state == "latest":
            return rng.choice(["upgrade", "update"]) + f"{extra} {name} to the latest version"
        return rng.choice(["install", "install", "make sure"]) + f"{extra} {name}" + (" is installed" if False else "")
    if short in ("service", "systemd", "systemd_service", "win_service", "sysvinit") and name:
        verb = {"started": "start", "stopped": "stop", "restarted": "restart", "reloaded": "reload"}.get(state)
        enabled = args.get("enabled")
        if verb and enabled is True:
            return f"{verb} {name} and enable it at boot"
        if verb:
            return f"{verb} the {name} service" if rng.random() < 0.5 else f"{verb} {name}"
        if enabled is True:
            return f"enable {name} at boot"
        if enabled is False:
            return f"disable {name}"
        if args.get("daemon_reload"):
            return "reload systemd"
        return None
    if short == "file" and path:
        own = f" owned by {owner}" if owner else ""
        mode = f" with mode {a['mode']}" if a.get("mode") else ""
        if state == "directory":
            return rng.choice([f"create directory {path}{own}{mode}", f"make sure {path} exists{own}{mode}"])
        if state == "absent":
            return rng.choice([f"delete {path}", f"remove {path}"])
        if state == "link" and a.get("src"):
            return f"symlink {path} to {a['src']}"
        if state == "touch":
            return f"create an empty file {path}{own}"
        if owner or mode:
            return f"set {path}{own}{mode}".replace(" owned by", " owner to").replace(" with mode", " and mode")
        return None
    if short in ("copy", "win_copy") and a.get("dest"):
        if a.get("src"):
            return f"copy {a['src']} to {a['dest']}" + (f" owned by {owner}" if owner else "")
        if "content" in args:
            return f"write a file {a['dest']} with the given content"
        return None
    if short in ("template", "win_template") and a.get("src") and a.get("dest"):
        return rng.choice([f"render {a['src']} to {a['dest']}", f"deploy {a['dest']} from template {a['src']}"])
    if short in ("user", "win_user") and name:
        if state == "absent":
            return f"remove user {name}"
        parts = [f"create user {name}"]
        if a.get("groups"):
            parts.append(f"in groups {a['groups']}")
        if a.get("shell"):
            parts.append(f"with shell {a['shell']}")
        return " ".join(parts)
    if short == "group" and name:
        return f"remove group {name}" if state == "absent" else f"create group {name}"
    if short == "lineinfile" and path and a.get("line"):
        return f"ensure {path} contains the line {a['line']}" if state != "absent" else f"remove line {a['line']} from {path}"
    if short == "get_url" and a.get("url") and a.get("dest"):
        return f"download {a['url']} to {a['dest']}"
    if short == "unarchive" and a.get("src") and a.get("dest"):
        return f"extract {a['src']} into {a['dest']}"
    if short == "git" and a.get("repo") and a.get("dest"):
        return f"clone {a['repo']} into {a['dest']}"
    if short == "debug" and a.get("msg"):
        return f"print the message {a['msg']}"
    if short == "debug" and a.get("var"):
        return f"show the value of {a['var']}"
    if short == "cron" and name and a.get("job"):
        return f"add a cron job {name} that runs {a['job']}"
    if short == "sysctl" and name and a.get("value"):
        return f"set sysctl {name} to {a['value']}"
    if short in ("firewalld",) and (a.get("port") or a.get("service")):
        return f"open {a.get('port') or a.get('service')} in firewalld"
    if short == "ufw" and a.get("port"):
        return f"allow port {a['port']} with ufw"
    if short == "docker_container" and name and a.get("image"):
        return f"run a container {name} from image {a['image']}"
    if short == "stat" and path:
        return f"check whether {path} exists"
    if short == "mount" and path and a.get("src"):
        return f"mount {a['src']} on {path}"
    if short == "reboot":
        return "reboot the machine"
    if short == "hostname" and name:
        return f"set the hostname to {name}"
    if short == "timezone" and name:
        return f"set the timezone to {name}"
    if short == "apt_repository" and a.get("repo"):
        return f"add apt repository {a['repo']}"
    if short == "authorized_key" and a.get("user"):
        return f"add an authorized ssh key for {a['user']}"
    if short == "wait_for" and a.get("port"):
        return f"wait for port {a['port']} to be open"
    if short == "uri" and a.get("url"):
        return f"call {a['url']}"
    return None


def variants(name: str, fqcn: str, args, rng: random.Random, limit: int = 2) -> list[str]:
    """Up to `limit` distinct user-style requests for one task, different from its name."""
    out: list[str] = []
    candidates = [from_args(fqcn, args, rng), terse(name) if rng.random() < 0.5 else casual(name)]
    for c in candidates:
        if c and c.lower() != name.lower() and c not in out and len(c.split()) >= 2:
            out.append(c)
    return out[:limit]
