"""`ansible-codegen lsp` driven over stdio by a real LSP client (pytest-lsp).

Three servers: a scripted one (a JSON script stands in for the model, so suggestions are known
and valid, and slow ones can be made to test cancellation), one on the tiny random model (the
real model path: load, decode, parse), and one on the embedded model (marked e2e).
"""
from __future__ import annotations

import asyncio
import json
import time

import pytest
import pytest_asyncio
# The tiny model fixture needs torch; import it before anything imports ansible, which replaces
# sys.intern, which torch._dynamo's import then rejects.
import torch._dynamo  # noqa: F401
import yaml
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcMethodNotFound

from codegen.lsp.diagnostics import check_document
from codegen.lsp.document import find_target, split_lines
from codegen.lsp.document import MAX_CHARS, MAX_CHECK_CHARS
from codegen.lsp.server import PARSE_SECONDS
from tests.lsp_helpers import (Doc, NGINX_BODY, RawLsp, diagnostics_for, inline, inline_with_progress, log_messages,
                               lsp_session, wait_for, write_script)

aio = pytest.mark.asyncio(loop_scope="module")

PLAYBOOK = """---
- name: Web servers
  hosts: web
  become: true
  vars:
    nginx_port: 8080
  tasks:
    - name: Create the app user
      ansible.builtin.user:
        name: deploy
        state: present

    - name: Install nginx
  handlers:
    - name: Restart nginx
      ansible.builtin.service:
        name: nginx
        state: restarted
"""

BAD_ARGUMENT = """---
- name: Web servers
  hosts: web
  tasks:
    - name: Copy the nginx config
      ansible.builtin.copy:
        src: nginx.conf
        dest: /etc/nginx/nginx.conf
        mode: "0644"
        colour: blue
"""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def scripted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lsp-scripted")
    async with lsp_session("--backend-script", str(write_script(folder)), "--debounce", "0.1", root=folder) as client:
        client.folder = folder
        yield client


def prompts(client) -> list[dict]:
    path = client.folder / "prompts.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def tasks_problems(text: str, catalog):
    return [p for p in check_document(text, catalog, lint=True) if p.level == "error"]


# --- cursor analysis (no server) ---


def test_the_retry_budget_cuts_a_try_in_the_server_and_only_the_server_cancels():
    """The pipeline's own `cancelled` (its retry time budget) stops decoding inside the language
    server too, and that try is dropped (the pipeline returns its best answer); only the server's
    check (a cancelled request, a newer version) raises Cancelled."""
    from codegen.backends.scripted import ScriptedBackend
    from codegen.lsp.suggest import Cancelled, _CancellableBackend

    slow = ScriptedBackend({"tasks": {"Fetch it": {"body": NGINX_BODY, "delay": 0.05}}})
    backend = _CancellableBackend(slow)
    backend.set_cancelled(lambda: False)  # the server: never
    started = time.perf_counter()
    generation = backend.complete("- name: Fetch it\n", cancelled=lambda: time.perf_counter() - started > 0.2)
    assert generation.stopped == "cancelled" and time.perf_counter() - started < 1.5  # whole: ~3 s
    backend.set_cancelled(lambda: time.perf_counter() - started > 1.7)  # the server, later
    with pytest.raises(Cancelled):
        backend.complete("- name: Fetch it\n", cancelled=lambda: False)


def test_find_target_reads_the_list_around_the_cursor():
    lines = split_lines(PLAYBOOK)
    line = lines.index("    - name: Install nginx")
    target = find_target(PLAYBOOK, line, len(lines[line]))
    assert target.kind == "task" and target.requests == ["Install nginx"] and target.body_column == 6
    assert target.preceding == ["- name: Create the app user\n  ansible.builtin.user:\n    name: deploy\n"
                                "    state: present\n"]
    assert find_target(PLAYBOOK, 1, 5) is None  # a play's name, not a task's
    assert find_target(PLAYBOOK, lines.index("    - name: Create the app user"), 20) is None  # has a body
    manifest = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: nginx\n"
    assert find_target(manifest, 4, 17) is None  # a Kubernetes list, not tasks
    tasks_file = "- name: Install git\n  ansible.builtin.package:\n    name: git\n- name: Start nginx\n"
    assert find_target(tasks_file, 3, 17).preceding[0].startswith("- name: Install git")


def test_find_target_in_a_block_a_role_and_handlers(tmp_path):
    block = ("- name: Web\n  hosts: web\n  tasks:\n    - name: Group\n      block:\n"
             "        - name: Install nginx\n")
    target = find_target(block, 5, 29)
    assert target.column == 8 and target.body_column == 10
    handlers = PLAYBOOK + "    - name: Reload nginx\n"
    assert find_target(handlers, len(split_lines(handlers)) - 2, 24).requests == ["Reload nginx"]
    role = tmp_path / "roles" / "web"
    (role / "tasks").mkdir(parents=True)
    (role / "handlers").mkdir()
    (role / "defaults").mkdir()
    (role / "handlers" / "main.yml").write_text("- name: Restart nginx\n  ansible.builtin.service:\n"
                                                "    name: nginx\n    state: restarted\n")
    (role / "defaults" / "main.yml").write_text("nginx_port: 8080\napi_token: s3cr3t-Value-123\n")
    text = "- name: Install nginx\n"
    target = find_target(text, 0, 21, (role / "tasks" / "main.yml").as_uri())
    assert target is not None and target.preceding == []
    from codegen.ansible_files.workspace import WorkspaceReader
    from codegen.grounding.workspace_context import view
    from codegen.lsp.suggest import prepare_context

    prepared = prepare_context(target, WorkspaceReader(), str(tmp_path))
    assert list(prepared.workspace.handlers) == ["Restart nginx"]
    assert prepared.workspace.variables["nginx_port"].value == 8080
    seen = view(prepared.workspace, "Install nginx", prepared.context)
    assert "nginx_port: 8080" in seen.block and "api_token" in seen.variables
    assert "s3cr3t-Value-123" not in seen.block  # a secret's value never reaches the prompt


def test_the_playbook_is_the_context():
    from codegen.lsp.suggest import prepare_context

    lines = split_lines(PLAYBOOK)
    line = lines.index("    - name: Install nginx")
    prepared = prepare_context(find_target(PLAYBOOK, line, len(lines[line])))
    assert prepared.context.handlers == ["Restart nginx"]
    assert prepared.context.variables == {"nginx_port": 8080}
    assert prepared.context.become is True
    assert prepared.context.prompt_text().startswith("- name: Create the app user\n")


def test_the_tasks_above_are_read_as_the_cli_reads_the_file_above():
    """A block above the cursor: the prompt's tasks are its tasks, flattened, as `task` and
    `batch` read the same file above (not the block item whole, `block:` and its keys)."""
    from codegen.grounding.context import parse_context
    from codegen.lsp.suggest import prepare_context

    above = ("- name: Prepare\n  become: true\n  tags: [db]\n  block:\n"
             "    - name: Create the data dir\n      ansible.builtin.file:\n        path: /srv/db\n"
             "        state: directory\n        mode: \"0750\"\n")
    for typed in ("- name: Import the schema\n", "    - name: Import the schema\n"):  # after it, inside it
        text = above + typed
        target = find_target(text, text.count("\n") - 1, len(typed) - 1)
        assert target is not None, typed
        tasks = prepare_context(target).context.tasks
        assert tasks == parse_context(above).tasks == ["- name: Create the data dir\n  ansible.builtin.file:\n"
                                                        "    path: /srv/db\n    state: directory\n"
                                                        "    mode: \"0750\"\n"]
    # the text above does not parse (a line half typed): the same list's items, as before
    broken = "- name: Install git\n  ansible.builtin.package:\n    name: git\n- name: [oops\n- name: Start nginx\n"
    target = find_target(broken, 4, 19)
    assert prepare_context(target).context.tasks[0].startswith("- name: Install git")


# --- the scripted server ---


@aio
async def test_initialize_advertises_the_features(scripted):
    caps = scripted.init_result.capabilities
    assert caps.inline_completion_provider is not None
    assert caps.hover_provider and caps.completion_provider is not None and caps.code_action_provider
    assert set(caps.execute_command_provider.commands) == {"ansible-codegen.generateTask",
                                                          "ansible-codegen.explainTask"}
    assert scripted.init_result.server_info.name == "ansible-codegen"


@aio
async def test_inline_completion_gives_a_task_body_that_validates(scripted, catalog):
    doc = Doc(scripted, scripted.folder / "site.yml", PLAYBOOK)
    position = doc.end_of("- name: Install nginx")
    result = await inline(scripted, doc, position)
    assert len(result.items) == 1
    item = result.items[0]
    body = "".join("  " * 2 + line + "\n" for line in NGINX_BODY.rstrip("\n").split("\n"))
    assert item.insert_text == "\n" + body.rstrip("\n")  # under the name line, at its indentation + 2
    assert item.range.start == position and item.range.end == position
    text = doc.applied(item.range, item.insert_text)
    tasks = yaml.safe_load(text)[0]["tasks"]
    assert tasks[1] == {"name": "Install nginx", "ansible.builtin.package": {"name": "nginx", "state": "present"}}
    assert tasks_problems(text, catalog) == []
    # The file was the context: the task before it is in the prompt, at column 0.
    prompt = next(p["prompt"] for p in prompts(scripted) if p["name"] == "Install nginx")
    assert "- name: Create the app user\n  ansible.builtin.user:\n" in prompt
    assert prompt.endswith("- name: Install nginx\n")
    doc.close()


@aio
async def test_the_first_line_is_reported_while_the_rest_is_written(scripted):
    """With the client's work-done token, the task's first line (its module) comes as a progress
    report as soon as it is written, before the suggestion; then the progress ends."""
    doc = Doc(scripted, scripted.folder / "web.yml", "- name: Restart the web service\n")
    result, seen = await inline_with_progress(scripted, doc, doc.end_of("- name: Restart the web service"), "t-1")
    assert result.items and result.items[0].insert_text.startswith("\n  ansible.builtin.service:\n")
    assert [kind for kind, _, _ in seen] == ["begin", "report", "end"]
    assert seen[1][1] == "ansible.builtin.service:" and seen[1][2] is False  # before the answer
    doc.close()


@aio
async def test_an_include_is_suggested_where_lint_cannot_see_its_file(scripted):
    """A tasks file outside a role: ansible-lint, linting the answer away from the folder, finds no
    file the include names, an error that is not the answer's: it is suggested all the same."""
    doc = Doc(scripted, scripted.folder / "service.yml", "- name: Deploy service\n")
    result = await inline(scripted, doc, doc.end_of("- name: Deploy service"))
    assert [item.insert_text for item in result.items] == ["\n  ansible.builtin.include_tasks: deploy.yml"]
    doc.close()


@aio
async def test_a_role_file_gets_its_workspace_and_sees_it_change(scripted):
    role = scripted.folder / "roles" / "web"
    for name, text in {"defaults/main.yml": "nginx_port: 8080\n",
                       "handlers/main.yml": "- name: Restart nginx\n  ansible.builtin.service:\n"
                                            "    name: nginx\n    state: restarted\n"}.items():
        (role / name).parent.mkdir(parents=True, exist_ok=True)
        (role / name).write_text(text)
    (role / "tasks").mkdir(exist_ok=True)
    doc = Doc(scripted, role / "tasks" / "main.yml", "- name: Install nginx\n")
    result = await inline(scripted, doc, doc.end_of("- name: Install nginx"))
    assert result.items and "ansible.builtin.package" in result.items[0].insert_text
    prompt = [p for p in prompts(scripted) if p["name"] == "Install nginx"][-1]["prompt"]
    assert "# Variables: nginx_port: 8080\n" in prompt and "# Handlers: Restart nginx\n" in prompt
    # The role's defaults change on disk: the next suggestion reads them again.
    (role / "defaults" / "main.yml").write_text("nginx_port: 8080\nnginx_user: www-data\n")
    scripted.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[types.FileEvent(
        uri=(role / "defaults" / "main.yml").as_uri(), type=types.FileChangeType.Changed)]))
    await inline(scripted, doc, doc.end_of("- name: Install nginx"))
    prompt = [p for p in prompts(scripted) if p["name"] == "Install nginx"][-1]["prompt"]
    assert "nginx_user: www-data" in prompt
    doc.close()


@aio
async def test_inline_completion_on_the_blank_line_under_the_name(scripted, catalog):
    text = PLAYBOOK.replace("    - name: Install nginx\n", "    - name: Install nginx\n      \n")
    doc = Doc(scripted, scripted.folder / "below.yml", text)
    line = doc.line_of("- name: Install nginx") + 1
    result = await inline(scripted, doc, types.Position(line, 6))
    item = result.items[0]
    assert item.range == types.Range(types.Position(line, 0), types.Position(line, 6))
    assert item.insert_text.startswith("      ansible.builtin.package:\n        name: nginx")
    assert tasks_problems(doc.applied(item.range, item.insert_text), catalog) == []
    doc.close()


@aio
async def test_multi_task_comment(scripted, catalog):
    text = PLAYBOOK.replace("    - name: Install nginx\n",
                            "    - name: Install nginx\n      ansible.builtin.package:\n"
                            "        name: nginx\n        state: present\n\n"
                            "    # start nginx & enable nginx at boot\n")
    doc = Doc(scripted, scripted.folder / "multi.yml", text)
    result = await inline(scripted, doc, doc.end_of("# start nginx & enable nginx at boot"))
    item = result.items[0]
    assert item.insert_text.startswith("\n    - name: Start nginx\n      ansible.builtin.service:\n")
    assert "\n    - name: Enable nginx at boot\n      ansible.builtin.service:\n" in item.insert_text
    new = doc.applied(item.range, item.insert_text)
    assert [t["name"] for t in yaml.safe_load(new)[0]["tasks"]] == [
        "Create the app user", "Install nginx", "Start nginx", "Enable nginx at boot"]
    assert tasks_problems(new, catalog) == []
    # The second request saw the first one's task as context.
    prompt = next(p["prompt"] for p in prompts(scripted) if p["name"] == "Enable nginx at boot")
    assert "- name: Start nginx\n  ansible.builtin.service:\n" in prompt
    doc.close()


@aio
async def test_completion_fallback_and_code_actions(scripted):
    doc = Doc(scripted, scripted.folder / "actions.yml", PLAYBOOK)
    position = doc.end_of("- name: Install nginx")
    completion = await scripted.text_document_completion_async(types.CompletionParams(
        text_document=doc.ident(), position=position))
    assert len(completion.items) == 1
    item = completion.items[0]
    assert item.label == "ansible.builtin.package"
    assert item.text_edit.new_text.startswith("\n      ansible.builtin.package:\n")

    actions = await scripted.text_document_code_action_async(types.CodeActionParams(
        text_document=doc.ident(), range=types.Range(position, position),
        context=types.CodeActionContext(diagnostics=[])))
    # This client declares no codeActionLiteralSupport, so the actions come as Commands.
    assert all(isinstance(a, types.Command) for a in actions)
    titles = [a.title for a in actions]
    assert "Generate task from its name" in titles
    generate = next(a for a in actions if a.title == "Generate task from its name")
    result = await scripted.workspace_execute_command_async(types.ExecuteCommandParams(
        command=generate.command, arguments=generate.arguments))
    assert result["applied"] is True
    edit = scripted.applied_edits[-1].edit.changes[doc.uri][0]
    assert edit.new_text.startswith("\n      ansible.builtin.package:\n        name: nginx")

    user_line = doc.line_of("state: present")
    actions = await scripted.text_document_code_action_async(types.CodeActionParams(
        text_document=doc.ident(), range=types.Range(types.Position(user_line, 8), types.Position(user_line, 8)),
        context=types.CodeActionContext(diagnostics=[])))
    explain = next(a for a in actions if a.title == "Explain this task")
    text = await scripted.workspace_execute_command_async(types.ExecuteCommandParams(
        command=explain.command, arguments=explain.arguments))
    assert "ansible.builtin.user" in text and "name = deploy" in text
    assert any("ansible.builtin.user" in m.message for m in scripted.messages)
    doc.close()


@aio
async def test_hover_on_a_module_and_an_option(scripted):
    doc = Doc(scripted, scripted.folder / "hover.yml", PLAYBOOK)
    line = doc.line_of("ansible.builtin.user:")
    hover = await scripted.text_document_hover_async(types.HoverParams(doc.ident(), types.Position(line, 12)))
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert hover.contents.value.startswith("**ansible.builtin.user** — Manage user accounts")
    assert "`name` (str; **required**)" in hover.contents.value
    assert hover.range == types.Range(types.Position(line, 6), types.Position(line, 26))
    option = await scripted.text_document_hover_async(types.HoverParams(
        doc.ident(), types.Position(doc.line_of("state: present"), 9)))
    assert option.contents.value.startswith("**state** — option of `ansible.builtin.user`")
    nothing = await scripted.text_document_hover_async(types.HoverParams(doc.ident(), types.Position(2, 3)))
    assert nothing is None  # `hosts` is no module
    doc.close()


@aio
async def test_diagnostics_on_a_bad_argument_refresh_on_save(scripted):
    doc = Doc(scripted, scripted.folder / "bad.yml", BAD_ARGUMENT)
    found = await diagnostics_for(scripted, doc, version=1)
    bad = [d for d in found if "colour" in d.message]
    assert bad and bad[0].severity == types.DiagnosticSeverity.Error and bad[0].code == "argspec"
    assert bad[0].range.start.line == doc.line_of("colour: blue")
    assert bad[0].source == "ansible-codegen"
    doc.replace(BAD_ARGUMENT.replace("        colour: blue\n", ""))
    doc.save()
    fixed = await diagnostics_for(scripted, doc, version=2)
    assert [d for d in fixed if d.severity == types.DiagnosticSeverity.Error] == []
    doc.close()


@aio
async def test_cancel_request_stops_generation_and_hover_stays_fast(scripted):
    doc = Doc(scripted, scripted.folder / "slow.yml",
              PLAYBOOK.replace("- name: Install nginx", "- name: Fetch the release archive"))
    params = types.InlineCompletionParams(
        context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Automatic),
        text_document=doc.ident(), position=doc.end_of("- name: Fetch the release archive"))
    pending = asyncio.wrap_future(scripted.protocol.send_request(
        types.TEXT_DOCUMENT_INLINE_COMPLETION, params, msg_id="slow-1"))
    await wait_for(lambda: any(p["name"] == "Fetch the release archive" for p in prompts(scripted)))
    # A slow generation does not block a hover.
    started = time.monotonic()
    hover = await scripted.text_document_hover_async(types.HoverParams(
        doc.ident(), types.Position(doc.line_of("ansible.builtin.user:"), 12)))
    assert hover is not None and time.monotonic() - started < 2.0
    # Nor diagnostics.
    bad = Doc(scripted, scripted.folder / "bad-while-slow.yml", BAD_ARGUMENT)
    started = time.monotonic()
    assert any("colour" in d.message for d in await diagnostics_for(scripted, bad, version=1, timeout=5))
    assert time.monotonic() - started < 5.0
    bad.close()
    cancelled_at = time.monotonic()
    scripted.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="slow-1"))
    with pytest.raises(JsonRpcException) as error:
        await pending
    assert error.value.code == types.LSPErrorCodes.RequestCancelled
    stopped = await wait_for(lambda: log_messages(scripted, "stopped early (request cancelled)"), timeout=5)
    assert "'Fetch the release archive'" in stopped[-1]
    assert time.monotonic() - cancelled_at < 5  # the whole body would take ~12 s
    doc.close()


@aio
async def test_a_newer_document_version_stops_generation(scripted):
    text = PLAYBOOK.replace("- name: Install nginx", "- name: Fetch the release archive")
    doc = Doc(scripted, scripted.folder / "edited.yml", text)
    asked = len(log_messages(scripted, "stopped early (document changed)"))
    request = asyncio.ensure_future(inline(scripted, doc, doc.end_of("- name: Fetch the release archive")))
    await asyncio.sleep(0.5)
    started = time.monotonic()
    doc.replace(text + "# edited\n")
    with pytest.raises(JsonRpcException) as error:
        await request
    assert error.value.code == types.LSPErrorCodes.ContentModified
    assert time.monotonic() - started < 5
    await wait_for(lambda: len(log_messages(scripted, "stopped early (document changed)")) > asked, timeout=5)
    doc.close()


@aio
async def test_malformed_yaml_never_crashes(scripted):
    broken = PLAYBOOK + "    - name: [unclosed\n      foo: {bar\n"
    doc = Doc(scripted, scripted.folder / "broken.yml", broken)
    found = await diagnostics_for(scripted, doc, version=1)
    assert len(found) == 1 and found[0].code == "syntax" and "YAML does not parse" in found[0].message
    # The lines around the cursor are still readable: the suggestion still works.
    result = await inline(scripted, doc, doc.end_of("- name: Install nginx"))
    assert result.items and "ansible.builtin.package" in result.items[0].insert_text
    for line in range(len(doc.lines)):  # hovers, completions and code actions anywhere: no error
        position = types.Position(line, 5)
        await scripted.text_document_hover_async(types.HoverParams(doc.ident(), position))
        await scripted.text_document_code_action_async(types.CodeActionParams(
            text_document=doc.ident(), range=types.Range(position, position),
            context=types.CodeActionContext(diagnostics=[])))
    garbage = Doc(scripted, scripted.folder / "garbage.yml", "\t- : : [\n\x00\n- name: \"unterminated\n")
    assert not (await inline(scripted, garbage, types.Position(2, 5))).items
    assert (await diagnostics_for(scripted, garbage))[0].code == "syntax"
    doc.close()
    garbage.close()


@aio
async def test_non_ansible_yaml_and_huge_files_get_empty_answers(scripted):
    manifest = Doc(scripted, scripted.folder / "pod.yml",
                   "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: nginx\n      image: nginx\n")
    assert not (await inline(scripted, manifest, types.Position(4, 17))).items
    assert await diagnostics_for(scripted, manifest) == []
    huge_text = PLAYBOOK + "".join(f"    - name: Task {i}\n      ansible.builtin.debug:\n        msg: {i}\n"
                                   for i in range(25_000))
    huge = Doc(scripted, scripted.folder / "huge.yml", huge_text)
    started = time.monotonic()
    assert not (await inline(scripted, huge, huge.end_of("- name: Install nginx"))).items
    assert time.monotonic() - started < 5
    hover = await scripted.text_document_hover_async(types.HoverParams(
        huge.ident(), types.Position(huge.line_of("ansible.builtin.user:"), 12)))
    assert hover is not None  # hover reads one line: it still works
    assert await diagnostics_for(scripted, huge) == []
    manifest.close()
    huge.close()


@aio
async def test_unknown_methods_get_a_proper_error(scripted):
    with pytest.raises(JsonRpcMethodNotFound):
        await scripted.protocol.send_request_async("codegen/noSuchMethod", {"x": 1})
    scripted.protocol.notify("codegen/noSuchNotification", {"x": 1})
    doc = Doc(scripted, scripted.folder / "alive.yml", PLAYBOOK)
    assert (await inline(scripted, doc, doc.end_of("- name: Install nginx"))).items  # still serving
    doc.close()


def _hover(msg_id, line=0, uri="file:///nowhere.yml") -> dict:
    return {"id": msg_id, "method": "textDocument/hover",
            "params": {"textDocument": {"uri": uri}, "position": {"line": line, "character": 0}}}


@pytest.fixture
def raw_lsp(tmp_path):
    """`ansible-codegen lsp` (scripted backend) spoken to over stdio byte by byte."""
    lsp = RawLsp("--backend-script", str(write_script(tmp_path)), "--debounce", "0.1")
    lsp.initialize(tmp_path)
    yield lsp
    lsp.close()


def test_requests_with_invalid_params_get_invalid_params(raw_lsp):
    """pygls dropped them while parsing (the editor waited forever): now -32602, naming the field."""
    raw_lsp.send({"id": 1, "method": "textDocument/hover",
                  "params": {"textDocument": {"uri": "file:///x.yml"}, "position": {"line": "one", "character": 0}}})
    raw_lsp.send({"id": "two", "method": "textDocument/inlineCompletion", "params": None})
    raw_lsp.send({"id": 3, "method": "textDocument/codeAction", "params": {"textDocument": 7}})
    raw_lsp.send({"method": "textDocument/didOpen", "params": {"textDocument": 3}})  # a notification: no answer
    first = raw_lsp.response(1, timeout=10)["error"]
    assert first["code"] == -32602 and "position.line" in first["message"]
    assert raw_lsp.response("two", timeout=10)["error"]["code"] == -32602
    assert raw_lsp.response(3, timeout=10)["error"]["code"] == -32602
    raw_lsp.send(_hover(4))
    assert raw_lsp.response(4, timeout=10) == {"jsonrpc": "2.0", "id": 4, "result": None}  # still serving


def test_requests_after_shutdown_get_invalid_request(raw_lsp):
    raw_lsp.send({"id": 1, "method": "shutdown"})
    assert raw_lsp.response(1, timeout=10)["result"] is None
    raw_lsp.send(_hover(2))
    raw_lsp.send({"id": 3, "method": "textDocument/completion", "params": {
        "textDocument": {"uri": "file:///x.yml"}, "position": {"line": 0, "character": 0}}})
    error = raw_lsp.response(2, timeout=10)["error"]
    assert error["code"] == -32600 and "shut down" in error["message"]
    assert raw_lsp.response(3, timeout=10)["error"]["code"] == -32600
    raw_lsp.send({"method": "exit"})
    assert raw_lsp.proc.wait(timeout=30) == 0


def test_garbage_messages_get_json_rpc_errors_and_no_traceback(raw_lsp):
    raw_lsp.send_bytes(b"{not json")
    raw_lsp.send_bytes(b"[" * 5000 + b"]" * 5000)
    raw_lsp.send_bytes(b'{"id": 9, "method": "textDocument/hover", "params": {}}')  # no "jsonrpc": "2.0"
    raw_lsp.send_bytes(b"[1, 2]")
    raw_lsp.send(_hover(10))
    assert raw_lsp.response(10, timeout=10)["result"] is None
    assert raw_lsp.response(9, timeout=10)["error"]["code"] == -32600
    errors = [m["error"]["code"] for m in raw_lsp.messages if "error" in m and m.get("id") is None]
    assert errors == [-32700, -32700, -32600]
    assert raw_lsp.close() == 1  # stdin closed without shutdown + exit: 1 (LSP)
    assert b"Traceback" not in raw_lsp.stderr, raw_lsp.stderr.decode()[-3000:]


def _alias_bomb(depth: int, width: int = 10) -> str:
    """A task list whose last task is `width ** depth` tasks through nested block aliases (a few KB)."""
    lines = ["---", "- name: Tasks", "  hosts: all", "  tasks:",
             "    - &t0 {name: Leaf, ansible.builtin.debug: {msg: x}}"]
    for level in range(1, depth + 1):
        lines.append(f"    - &t{level} {{name: Level {level}, block: [{', '.join([f'*t{level - 1}'] * width)}]}}")
    return "\n".join(lines) + "\n"


@aio
async def test_a_parse_that_explodes_does_not_hold_other_requests(tmp_path):
    """An alias bomb: the shared loader refuses it before any walk, so the code action answers at
    once (no Explain: there is no task to explain) and hovers are never held."""
    async with lsp_session("--backend-script", str(write_script(tmp_path)), "--no-lint", root=tmp_path) as client:
        doc = Doc(client, tmp_path / "bomb.yml", _alias_bomb(6))
        # first hover: waits for the module catalog to load (seconds on a busy machine), not timed
        await client.text_document_hover_async(types.HoverParams(doc.ident(), types.Position(4, 40)))
        where = types.Position(doc.line_of("Level 6"), 4)
        started = time.monotonic()
        action = asyncio.ensure_future(client.text_document_code_action_async(types.CodeActionParams(
            text_document=doc.ident(), range=types.Range(where, where), context=types.CodeActionContext(diagnostics=[]))))
        hover_started = time.monotonic()
        await client.text_document_hover_async(types.HoverParams(doc.ident(), types.Position(4, 40)))
        assert time.monotonic() - hover_started < 3
        actions = await asyncio.wait_for(action, PARSE_SECONDS)
        assert time.monotonic() - started < PARSE_SECONDS  # refused, not walked until the time limit
        assert not any("Explain" in a.title for a in actions or [])
        assert not log_messages(client, "took over")
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 10


@aio
async def test_documents_over_the_caps_are_skipped_and_said_once(scripted):
    tasks = "".join(f"    - name: Task {i}\n      ansible.builtin.debug:\n        msg: {i}\n" for i in range(1200))
    assert MAX_CHECK_CHARS < len(PLAYBOOK + tasks) < MAX_CHARS
    big = Doc(scripted, scripted.folder / "big.yml", PLAYBOOK + tasks)
    started = time.monotonic()
    assert await diagnostics_for(scripted, big, version=1, timeout=20) == []  # skipped, not a 45 s lint run
    assert time.monotonic() - started < 10
    said = await wait_for(lambda: [m.message for m in scripted.messages if "big.yml" in m.message])
    assert said == [f"ansible-codegen: big.yml has {len(big.text)} characters, over the cap of {MAX_CHECK_CHARS}: "
                    "no diagnostics for it"]
    assert (await inline(scripted, big, big.end_of("- name: Install nginx"))).items  # suggestions still work
    big.save()
    await asyncio.sleep(0.5)
    assert len([m for m in scripted.messages if "big.yml" in m.message]) == 1  # once per document
    huge = Doc(scripted, scripted.folder / "huge-cap.yml", PLAYBOOK + "#" * MAX_CHARS)
    assert not (await inline(scripted, huge, huge.end_of("- name: Install nginx"))).items
    said = await wait_for(lambda: [m.message for m in scripted.messages if "huge-cap.yml" in m.message])
    assert f"over the cap of {MAX_CHARS}: no suggestions, diagnostics or task parses" in said[0] and len(said) == 1
    big.close()
    huge.close()


# --- the tiny random model: the real model path (load, decode, parse) ---


@aio
async def test_tiny_model_server_answers_without_crashing(tiny_model_dir, tmp_path):
    async with lsp_session("--base", str(tiny_model_dir), "--adapter", "none", "--no-lint", root=tmp_path) as client:
        doc = Doc(client, tmp_path / "site.yml", PLAYBOOK)
        result = await inline(client, doc, doc.end_of("- name: Install nginx"))
        assert isinstance(result, types.InlineCompletionList)  # random weights: most likely no valid task
        said = await wait_for(lambda: log_messages(client, "inline completion 'Install nginx'"), timeout=60)
        assert "no valid task" in said[-1] or "ansible." in said[-1]
        for item in result.items:  # should it write a task that validates, it goes under the name
            assert item.insert_text.startswith("\n      ")
        hover = await client.text_document_hover_async(types.HoverParams(
            doc.ident(), types.Position(doc.line_of("ansible.builtin.user:"), 12)))
        assert hover is not None


# --- the embedded model (Gemma 3 270M + the shipped adapter) ---


@pytest.mark.e2e
@aio
async def test_embedded_model_suggests_a_valid_install_nginx_task(tmp_path, catalog):
    async with lsp_session(root=tmp_path) as client:
        doc = Doc(client, tmp_path / "site.yml", PLAYBOOK)
        warm = PLAYBOOK.replace("- name: Install nginx", "- name: Start nginx")
        other = Doc(client, tmp_path / "warm.yml", warm)
        await inline(client, other, other.end_of("- name: Start nginx"))  # the first request after start-up
        started = time.perf_counter()
        result = await inline(client, doc, doc.end_of("- name: Install nginx"))
        seconds = time.perf_counter() - started
        assert result.items, log_messages(client, "Install nginx")
        text = doc.applied(result.items[0].range, result.items[0].insert_text)
        task = yaml.safe_load(text)[0]["tasks"][1]
        assert task["name"] == "Install nginx"
        assert {"ansible.builtin.package", "ansible.builtin.apt", "ansible.builtin.dnf",
                "ansible.builtin.yum"} & set(task)
        assert tasks_problems(text, catalog) == []
        print(f"warm inline completion, one task: {seconds:.2f} s")


def test_the_editor_finds_the_task_lists_check_finds():
    """document.task_lists walks the buffer with check's walker (ansible_files/classify.py): a list
    check calls data (a task, then an item with several fields) gives the editor no tasks either."""
    from codegen.ansible_files.classify import classify
    from codegen.lsp.document import task_at, task_lists

    mixed = "- name: Install git\n  ansible.builtin.apt:\n    name: git\n- server: db\n  address: 10.0.0.5\n"
    assert classify("untitled.yml", mixed) is None
    assert task_lists(mixed) == [] and task_at(mixed, 1) is None
    playbook = ("- hosts: all\n  tasks:\n    - block:\n        - name: A\n          ansible.builtin.debug:\n"
                "            msg: a\n  handlers:\n    - name: Restart x\n      ansible.builtin.service:\n"
                "        name: x\n        state: restarted\n")
    lists = task_lists(playbook)
    assert [(tl.section, [raw.line for raw in tl.tasks]) for tl in lists] == [("tasks", [4]), ("handlers", [8])]
    assert task_at(playbook, 5).data["name"] == "A"
    with pytest.raises(yaml.YAMLError):
        task_lists("- name: [unclosed\n")
