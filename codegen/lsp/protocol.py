"""The JSON-RPC answers pygls 2 leaves out: every request gets a response.

pygls 2.1 drops three kinds of request without a word, and the editor then waits forever:
  * params its types reject (a string for a line number, `null` for an object): it raises while
    parsing the message, before there is a request to answer -> here InvalidParams (-32602);
  * any request after `shutdown` (it logs "No more requests!") -> InvalidRequest (-32600), as
    the LSP specification asks; notifications are still dropped, `exit` still exits;
  * a request that is not JSON-RPC 2.0 (no or another "jsonrpc") -> InvalidRequest.
A body that is not JSON at all gets ParseError (-32700, id null) from CodegenServer.
None of these logs a traceback: bad input is one warning line.
"""
from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCNotification, JsonRPCRequestMessage, RPCRequest

log = logging.getLogger("codegen.lsp")


class Refused:
    """A message that cannot be handled; a request among them is answered with `error`."""

    def __init__(self, msg_id: Any, method: Any, error: JsonRpcException | None):
        # a response must carry the request's id, or null when that id is not a valid one
        self.id = msg_id if isinstance(msg_id, (int, str)) and not isinstance(msg_id, bool) else None
        self.method, self.error = method, error


def _short(exc: BaseException) -> str:
    """What is wrong, in one line: cattrs' own paths ("expected int @ $.params.position.line")."""
    try:
        from cattrs import transform_error

        said = "; ".join(transform_error(exc))
    except Exception:  # noqa: BLE001 - not a cattrs error
        said = str(exc)
    return " ".join(said.split())[:300] or exc.__class__.__name__


class CodegenProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]):
        # json.loads calls this for every object, innermost first; only the message itself has "jsonrpc"
        if not isinstance(data, dict) or "jsonrpc" not in data or "method" not in data:
            return super().structure_message(data)
        method, is_request = data.get("method"), "id" in data
        if data.get("jsonrpc") != self.VERSION or not isinstance(method, str):
            log.warning("not a JSON-RPC 2.0 message (method %r): refused", method)
            return Refused(data.get("id"), method, JsonRpcInvalidRequest(
                message="not a JSON-RPC 2.0 request (jsonrpc must be \"2.0\", method a string)") if is_request else None)
        kind = self.get_message_type(method)
        try:
            # (not pygls's own structure_message: it logs a traceback for each bad message)
            return self._converter.structure(data, kind or (JsonRPCRequestMessage if is_request else JsonRPCNotification))
        except Exception as exc:  # noqa: BLE001 - cattrs says why in many shapes; all mean bad params
            log.warning("%s %r: invalid params: %s", "request" if is_request else "notification", method, _short(exc))
            if not is_request:
                return Refused(None, method, None)
            if not isinstance(data.get("id"), (int, str)) or isinstance(data.get("id"), bool):
                return Refused(None, method, JsonRpcInvalidRequest(message="a request id must be a number or a string"))
            return Refused(data["id"], method, JsonRpcInvalidParams(message=f"Invalid params for {method}: {_short(exc)}"))

    def handle_message(self, message):
        if isinstance(message, Refused):
            if message.error is not None:
                self._send_response(message.id, None, message.error.to_response_error())
            return
        if not hasattr(message, "jsonrpc"):  # no "jsonrpc" member, or not an object at all (a list, a number)
            log.warning("not a JSON-RPC message: %s", type(message).__name__)
            msg_id = message.get("id") if isinstance(message, dict) else None
            if isinstance(message, dict) and "method" in message and "id" not in message:
                return  # a notification: nobody to answer
            self._send_response(Refused(msg_id, None, None).id, None,
                                JsonRpcInvalidRequest(message="not a JSON-RPC 2.0 message").to_response_error())
            return
        if self._shutdown and isinstance(message, RPCRequest) and message.method != types.EXIT:
            log.warning("request %r after shutdown: refused", message.method)
            self._send_response(message.id, None, JsonRpcInvalidRequest(
                message=f"the server is shut down: {message.method} refused (only exit is accepted)").to_response_error())
            return
        super().handle_message(message)
