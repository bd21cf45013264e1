"""Secrets never reach a prompt, a backend, a task name or the output (issue 13, finding 4).

Every format is checked three ways: through `redact` (the secret is gone, the rest still parses),
through the pipeline with a backend that records what it was sent, and through the real
`ansible-codegen task --json --backend openai` / `batch` against a loopback server that records
each request body.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from codegen.grounding.context import parse_context
from codegen.grounding.repair import scrub_secrets
from codegen.grounding.secrets import redact, redact_prompt
from codegen.pipeline import Pipeline
from tests.test_openai_backend import run_cli

PGP = ("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGXn0pQBCADkq8XzZp1Qh7e4Wc9pGvPgPkey0000\n=abcd\n"
       "-----END PGP PRIVATE KEY BLOCK-----")
OPENSSH = ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZSshkey0000\n"
           "-----END OPENSSH PRIVATE KEY-----")


def indented(block: str, by: int) -> str:
    return "\n".join(" " * by + line if line else "" for line in block.split("\n"))


# (what the file holds, the secret in it, text around it that must stay)
FORMATS = {
    "free-form password=": ("- name: Add bob\n  ansible.builtin.user: name=bob password=Sup3rS3cret! state=present\n",
                            "Sup3rS3cret!", "state=present"),
    "flow mapping X-Api-Key": ("- name: Call the API\n  ansible.builtin.uri:\n    url: https://api.example.com/v1\n"
                               "    headers: {X-Api-Key: abc123def456ghi, Accept: application/json}\n",
                               "abc123def456ghi", "Accept: application/json"),
    "flow mapping url_password": ("- name: Fetch\n  ansible.builtin.get_url: {url: 'https://x.example.com/f', "
                                  "url_password: 'hunter2pass', dest: /tmp/f}\n", "hunter2pass", "dest: /tmp/f"),
    "PGP private key block": ("- name: Key\n  ansible.builtin.copy:\n    content: |\n" + indented(PGP, 6)
                              + "\n    dest: /root/key.asc\n", "lQOYBGXn0pQBCADkq8XzZp1Qh7e4Wc9pGvPgPkey0000",
                              "dest: /root/key.asc"),
    "OpenSSH private key block": ("- name: Key\n  ansible.builtin.copy:\n    content: |\n" + indented(OPENSSH, 6)
                                  + "\n    dest: /root/.ssh/id_ed25519\n",
                                  "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZSshkey0000", "dest: /root/.ssh/id_ed25519"),
    "PEM key in a quoted string": ('- name: Key\n  ansible.builtin.copy:\n    content: "-----BEGIN RSA PRIVATE KEY-----'
                                   '\\nMIIEpAIBAAKCAQEArsakey0000\\n-----END RSA PRIVATE KEY-----\\n"\n    dest: /k\n',
                                   "MIIEpAIBAAKCAQEArsakey0000", "dest: /k"),
    "mysql -pPASS": ("- name: Dump\n  ansible.builtin.shell: mysqldump -u root -pMyS3cretPW app > /tmp/app.sql\n",
                     "MyS3cretPW", "-u root"),
    "mysql --password=": ("- name: Status\n  ansible.builtin.command: mysqladmin --user=root --password=MyS3cretPW status\n",
                          "MyS3cretPW", "status"),
    "command --password VALUE": ("- name: Login\n  ansible.builtin.command: app-cli login --password 'Pa55 word' --yes\n",
                                 "Pa55 word", "--yes"),
    "postgres:// URL": ("- name: Migrate\n  ansible.builtin.command: psql postgres://admin:PgPass123@db.example.com/app\n",
                        "PgPass123", "@db.example.com/app"),
    "URL password urllib reads": ("- name: Migrate\n  ansible.builtin.command:\n"
                                  "    cmd: psql 'postgresql://admin:Pg!Pass%40123@db.example.com:5432/app'\n",
                                  "Pg!Pass%40123", "db.example.com:5432/app"),
    "block scalar >-": ("- hosts: db\n  vars:\n    db_password: >-\n      correct-horse\n      battery-staple\n"
                        "    app_user: deploy\n  tasks:\n    - name: Install postgres\n"
                        "      ansible.builtin.package:\n        name: postgresql\n",
                        "battery-staple", "app_user: deploy"),
    "block scalar |": ("- hosts: db\n  vars:\n    api_token: |\n      tok-3f9a8b7c6d5e\n    app_user: deploy\n"
                       "  tasks:\n    - name: Install postgres\n      ansible.builtin.package:\n        name: postgresql\n",
                       "tok-3f9a8b7c6d5e", "app_user: deploy"),
    "AWS key under a plain name": ("- name: S3\n  amazon.aws.s3_object:\n    access: AKIAIOSFODNN7EXAMPLE\n"
                                   "    bucket: logs\n", "AKIAIOSFODNN7EXAMPLE", "bucket: logs"),
    "GitHub token in a header": ("- name: Call\n  ansible.builtin.uri:\n    url: https://api.github.com/user\n"
                                 "    headers:\n      Authorization: Bearer ghp_abcdefghijklmnopqrstuvwxyz0123456789\n",
                                 "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "https://api.github.com/user"),
    "Slack token in a free-form value": ("- name: Notify\n  ansible.builtin.command: notify --to ops "
                                         "xoxb-123456789012-abcdefghijkl\n", "xoxb-123456789012-abcdefghijkl",
                                         "--to ops"),
}


def test_the_libraries_are_installed_and_used():
    import ansible_anonymizer.field_checks
    import detect_secrets.plugins.github_token  # noqa: F401

    from codegen.grounding.secret_strings import find_secrets, secret_name

    # names the anonymizer (Lightspeed's list) calls passwords, and shapes detect-secrets knows
    assert ansible_anonymizer.field_checks.is_password_field_name("db_pass") and secret_name("db_pass")
    assert [f.kind for f in find_secrets("token ghp_abcdefghijklmnopqrstuvwxyz0123456789")] == ["github_token"]


@pytest.mark.parametrize("name", list(FORMATS))
def test_redact_removes_each_format_and_keeps_the_yaml(name):
    text, secret, kept = FORMATS[name]
    assert yaml.safe_load(text) is not None  # the case itself is valid YAML
    redaction = redact(text)
    assert secret not in redaction.text
    assert kept in redaction.text
    assert yaml.safe_load(redaction.text) is not None  # the rest still parses
    assert "{{ vault_" in redaction.text
    assert any(secret in value for value in redaction.secrets)


def test_vault_and_block_scalar_secrets_keep_the_whole_context():
    text = ("- hosts: db\n  vars:\n    app_user: deploy\n    db_password: !vault |\n"
            "      $ANSIBLE_VAULT;1.1;AES256\n      62313365396662343061393464336163383764373764613633653634306231386433\n"
            "    api_key: >-\n      k3y-part-one\n      k3y-part-two\n  tasks:\n    - name: Install postgres\n"
            "      ansible.builtin.package:\n        name: postgresql\n    - name: Start postgres\n"
            "      ansible.builtin.service:\n        name: postgresql\n        state: started\n")
    redacted = redact(text).text
    ctx = parse_context(redacted)
    assert [t.split("\n", 1)[0] for t in ctx.tasks] == ["- name: Install postgres", "- name: Start postgres"]
    assert ctx.variables == {"app_user": "deploy", "db_password": "{{ vault_db_password }}",
                             "api_key": "{{ vault_api_key }}"}
    assert "k3y-part" not in redacted and "$ANSIBLE_VAULT" not in redacted


def test_what_is_not_a_secret_stays():
    text = ("- name: Bob\n  ansible.builtin.user:\n    name: bob\n    password: \"{{ vault_bob_password }}\"\n"
            "    update_password: always\n    password_lock: true\n  vars:\n    password_file: /etc/app/pw\n"
            "    secret_name: app-tls\n    token_type: bearer\n    private_key: ~/.ssh/id_rsa\n"
            "- name: Sudo\n  ansible.builtin.lineinfile:\n    path: /etc/sudoers\n    line: 'bob ALL=(ALL) NOPASSWD: ALL'\n")
    redaction = redact(text)
    assert redaction.text == text and redaction.secrets == {}


def test_placeholders_are_stable_and_distinct():
    text = "a_password: s3cret-one\nb:\n  password: s3cret-one\nc:\n  password: s3cret-two\n"
    redaction = redact(text)
    assert redaction.secrets == {"s3cret-one": "{{ vault_a_password }}", "s3cret-two": "{{ vault_password }}"}
    assert yaml.safe_load(redaction.text) == {"a_password": "{{ vault_a_password }}",
                                              "b": {"password": "{{ vault_a_password }}"},
                                              "c": {"password": "{{ vault_password }}"}}


def test_text_yaml_cannot_read_is_redacted_line_by_line():
    text = ("{% if ssl %}\n- name: Setup\n  vars:\n    db_password: Line-Mode-Pw1\n    key_pem: |\n"
            "      -----BEGIN EC PRIVATE KEY-----\n      MHcCAQEEIEcpriv\n      -----END EC PRIVATE KEY-----\n"
            "  ansible.builtin.shell: mysql -pLineMysql9 -e 'select 1'\n{% endif %}\n")
    redacted = redact(text).text
    for secret in ("Line-Mode-Pw1", "MHcCAQEEIEcpriv", "LineMysql9"):
        assert secret not in redacted
    assert "{% if ssl %}" in redacted and "- name: Setup" in redacted


@pytest.mark.parametrize("prompt, secret", [
    ("create user bob with password Hunter2!", "Hunter2!"),
    ("set the admin password to 'open sesame'", "open sesame"),
    ('create user bob with password "letmein"', "letmein"),
    ("call the API with api key: abc123def456ghi", "abc123def456ghi"),
    ("upload with AWS key AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    ("migrate postgres://admin:PgPass123@db.example.com/app", "PgPass123"),
    ("run mysql -pMyS3cretPW -e 'flush logs'", "MyS3cretPW"),
    ("install the key " + PGP.replace("\n", " "), "lQOYBGXn0pQBCADkq8XzZp1Qh7e4Wc9pGvPgPkey0000"),
])
def test_redact_prompt(prompt, secret):
    redaction = redact_prompt(prompt)
    assert secret not in redaction.text and "{{ vault_" in redaction.text and secret in "".join(redaction.secrets)


@pytest.mark.parametrize("prompt", ["generate a random password for bob", "rotate the api token of the deploy user",
                                    "install nginx & start nginx", "lock the password of user alice"])
def test_prompt_without_a_secret_is_unchanged(prompt):
    assert redact_prompt(prompt).text == prompt


# -- through the pipeline -------------------------------------------------------------------------
class Recorder:
    """A backend that records every prompt and answers `body` (which may hold a leaked secret)."""

    def __init__(self, body: str):
        self.body, self.prompts = body, []

    def complete(self, prompt, constraint=None, cancelled=None):
        from codegen.backends.base import Generation

        self.prompts.append(prompt)
        return Generation(self.body)


@pytest.mark.parametrize("name", list(FORMATS))
def test_pipeline_never_sends_nor_returns_a_secret(name, catalog):
    text, secret, _ = FORMATS[name]
    # the answer copies the secret: the model may only echo it if redaction missed it, repair must catch it
    backend = Recorder(f"  ansible.builtin.debug:\n    msg: \"{secret.splitlines()[0]}\"\n")
    result = Pipeline(backend, catalog, lint=False, retriever=None).run("show the message", context=text)
    assert backend.prompts and not any(secret in p for p in backend.prompts)
    assert secret not in json.dumps(result.record())


def test_tasks_above_a_vault_value_reach_the_prompt(catalog):
    text = FORMATS["block scalar >-"][0].replace(
        "    app_user: deploy\n", "    vaulted: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n      6231\n"
                                 "    app_user: deploy\n")
    backend = Recorder("  ansible.builtin.service:\n    name: postgresql\n    state: started\n")
    Pipeline(backend, catalog, lint=False, retriever=None).run("start postgres", context=text)
    assert "- name: Install postgres" in backend.prompts[0] and "battery-staple" not in backend.prompts[0]


def test_a_secret_in_the_prompt_reaches_no_backend_no_name_no_output(catalog):
    backend = Recorder("  ansible.builtin.user:\n    name: bob\n    password: Hunter2!\n")
    result = Pipeline(backend, catalog, lint=False, retriever=None).run("create user bob with password Hunter2!")
    assert not any("Hunter2!" in p for p in backend.prompts)
    assert "Hunter2!" not in json.dumps(result.record())
    task = yaml.safe_load(result.yaml)[0]
    assert task["name"] == "Create user bob with password {{ vault_password }}"
    assert task["ansible.builtin.user"]["password"] == "{{ vault_password }}"


@pytest.mark.parametrize("repair", [True, False])
def test_a_context_url_password_copied_into_the_answer_is_replaced(catalog, repair):
    text = FORMATS["postgres:// URL"][0]
    backend = Recorder("  ansible.builtin.command: psql postgres://admin:PgPass123@db.example.com/app -c 'select 1'\n")
    result = Pipeline(backend, catalog, lint=False, retriever=None, repair=repair, constrain=repair).run(
        "query the app database", context=text)
    assert "PgPass123" not in result.yaml and "{{ vault_url_password }}" in result.yaml
    assert any("replaced a secret" in p for p in result.problems)


def test_an_answer_that_does_not_parse_is_scrubbed_and_flagged(catalog):
    text, notes = scrub_secrets("- name: x\n  shell: [unclosed hunter2pass\n", {"hunter2pass": "{{ vault_pw }}"}, catalog)
    assert "hunter2pass" not in text and any(n.startswith("error [secret]") for n in notes)


# -- the real CLI against a loopback server that records each request --------------------------------
class RecordingServer:
    """POST /v1/completions on 127.0.0.1: keeps each raw request body, answers `body` as the completion."""

    def __init__(self, body: str):
        self.bodies: list[bytes] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                server.bodies.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                answer = json.dumps({"choices": [{"index": 0, "text": body, "finish_reason": "stop"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        self.thread = threading.Thread(target=self.http.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"

    def close(self):
        self.http.shutdown()
        self.http.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def recording():
    servers = []

    def start(body):
        servers.append(RecordingServer(body))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


# The prompt shows the last 3 tasks (900 characters at most): every format is in those, under a play
# whose vars hold a `!vault` value and a `>-` secret, which used to make the whole context vanish.
CLI_CONTEXT = """- hosts: db
  vars:
    vaulted: !vault |
      $ANSIBLE_VAULT;1.1;AES256
      6231336539666234306139
    db_password: >-
      correct-horse
      battery-staple
  tasks:
    - name: Add bob
      ansible.builtin.user: name=bob password=Sup3rS3cret! state=present
    - name: Call the API
      ansible.builtin.uri:
        url: https://api.example.com/v1
        headers: {X-Api-Key: abc123def456ghi, Accept: application/json}
        url_password: hunter2pass
        body: |
          -----BEGIN PGP PRIVATE KEY BLOCK-----
          lQOYBGXn0pQBCADkq8XzZp1Qh7e4
          -----END PGP PRIVATE KEY BLOCK-----
    - name: Dump the database
      ansible.builtin.shell: mysqldump -u root -pMyS3cretPW app | psql postgres://admin:PgPass123@db.example.com/app
"""
SECRETS = ["Sup3rS3cret!", "abc123def456ghi", "hunter2pass", "lQOYBGXn0pQBCADkq8XzZp1Qh7e4", "MyS3cretPW", "PgPass123",
           "battery-staple", "Hunter2!"]
LEAKY = "  ansible.builtin.user:\n    name: bob\n    password: Sup3rS3cret!\n    comment: PgPass123 MyS3cretPW\n"


def test_cli_task_json_openai_sends_and_prints_no_secret(recording, tmp_path):
    server = recording(LEAKY)
    context = tmp_path / "site.yml"
    context.write_text(CLI_CONTEXT)
    result = run_cli(tmp_path, "task", "create user bob with password Hunter2!", "--context", str(context), "--json",
                     "--backend", "openai", "--url", server.url, "--model", "m", "--no-lint", "--no-retrieval",
                     timeout=180)
    assert result.returncode in (0, 1), result.stderr
    assert server.bodies, "the server was never asked"
    sent = b"".join(server.bodies).decode()
    for name in ("Add bob", "Call the API", "Dump the database"):  # the context did reach it, redacted
        assert name in sent
    for secret in SECRETS:
        assert secret not in sent, secret
        assert secret not in result.stdout and secret not in result.stderr, secret
    record = json.loads(result.stdout)
    assert record["yaml"] and "{{ vault_" in record["yaml"]


def test_cli_batch_openai_records_no_secret(recording, tmp_path):
    server = recording(LEAKY)
    cases = tmp_path / "in.jsonl"
    cases.write_text(json.dumps({"id": "a", "prompt": "create user bob with password Hunter2!",
                                 "context": CLI_CONTEXT}) + "\n")
    out = tmp_path / "out.jsonl"
    result = run_cli(tmp_path, "batch", str(cases), "-o", str(out), "--backend", "openai", "--url", server.url,
                     "--model", "m", "--no-lint", timeout=180)
    assert result.returncode == 0, result.stderr
    sent, written = b"".join(server.bodies).decode(), out.read_text()
    assert "Dump the database" in sent
    for secret in SECRETS:
        assert secret not in sent and secret not in written and secret not in result.stdout + result.stderr, secret


def test_cli_playbook_openai_sends_and_prints_no_secret(recording, tmp_path):
    """Whatever reaches the backend for a playbook (a step, or an outline prompt) is redacted first."""
    server = recording(LEAKY)
    result = run_cli(tmp_path, "playbook", "create user bob with password Hunter2! on the web servers", "--json",
                     "--backend", "openai", "--url", server.url, "--model", "m", "--no-lint", timeout=180)
    assert result.returncode in (0, 1), result.stderr
    sent = b"".join(server.bodies).decode()
    assert server.bodies and "create user bob" in sent.lower()  # the step (split by code: no outline prompt needed)
    assert "Hunter2!" not in sent and "Hunter2!" not in result.stdout + result.stderr
    assert "{{ vault_password }}" in sent
