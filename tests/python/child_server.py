"""A small MCP stdio server (official Python SDK) that the gateway tests put
behind `odoo-connections gateway`: read and write tools, a slow tool, a
crashing tool, a tool the server refuses with a JSON-RPC error, resources, prompts,
completions, logging and progress, and a tool that asks the client for
sampling, elicitation and roots.

Every tool call that reaches this server appends one JSON line to the file
named by CHILD_CALL_LOG, so a test can compare what reached the server with
the gateway's audit log. CHILD_ENV_LOG, when set, receives the ODOO_* names
this process sees (values only as SHA-256 digests).
"""

import hashlib
import json
import os

import anyio
from pydantic import BaseModel

from mcp.server.mcpserver import Context, MCPServer
from mcp.shared.exceptions import MCPError
from mcp.types import (
    Completion,
    SamplingMessage,
    TextContent,
    ToolAnnotations,
)

server = MCPServer("gateway-test-child")

READ_ONLY = ToolAnnotations(readOnlyHint=True)
WRITES = ToolAnnotations(readOnlyHint=False, destructiveHint=True)


def record(tool: str, arguments: dict) -> None:
    path = os.environ.get("CHILD_CALL_LOG")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps({"tool": tool, "arguments": arguments}) + "\n")


def record_environment() -> None:
    path = os.environ.get("CHILD_ENV_LOG")
    if not path:
        return
    seen = {
        name: hashlib.sha256(value.encode()).hexdigest()
        for name, value in os.environ.items()
        if name.startswith("ODOO_")
    }
    with open(path, "w", encoding="utf-8") as log:
        json.dump({"env": seen, "cwd": os.getcwd(), "pid": os.getpid()}, log)


@server.tool(annotations=READ_ONLY)
def read_partner(partner_id: int) -> str:
    """Read one partner (read-only)."""
    record("read_partner", {"partner_id": partner_id})
    return f"partner {partner_id}: Azure Interior"


@server.tool(annotations=WRITES)
def write_partner(partner_id: int, name: str) -> str:
    """Rename one partner."""
    record("write_partner", {"partner_id": partner_id, "name": name})
    return f"partner {partner_id} renamed to {name}"


@server.tool(annotations=WRITES)
def fail_partner(partner_id: int) -> str:
    """A write the server refuses with a JSON-RPC error (it did not run)."""
    record("fail_partner", {"partner_id": partner_id})
    raise MCPError(code=-32602, message=f"partner {partner_id} is locked")


@server.tool(annotations=READ_ONLY)
async def slow(seconds: float) -> str:
    """Sleep, then answer (for cancellation)."""
    record("slow", {"seconds": seconds})
    await anyio.sleep(seconds)
    return "slept"


@server.tool(annotations=WRITES)
def crash(code: int) -> str:
    """Exit the whole server at once, without answering."""
    record("crash", {"code": code})
    os._exit(code)


@server.tool(annotations=READ_ONLY)
async def chatty(steps: int, ctx: Context) -> str:
    """Send log messages and progress notifications."""
    record("chatty", {"steps": steps})
    for step in range(1, steps + 1):
        await ctx.info(f"step {step} of {steps}")
        await ctx.report_progress(step, steps, f"step {step}")
    return f"{steps} steps done"


class Confirm(BaseModel):
    confirm: bool


@server.tool(annotations=READ_ONLY)
async def ask_client(ctx: Context) -> str:
    """Ask the client for sampling, elicitation and roots."""
    record("ask_client", {})
    sampled = await ctx.session.create_message(
        [SamplingMessage(role="user", content=TextContent(type="text", text="say hi"))],
        max_tokens=10,
        related_request_id=ctx.request_id,
    )
    elicited = await ctx.elicit("Proceed?", Confirm)
    roots = await ctx.session.list_roots()
    uris = ",".join(str(root.uri) for root in roots.roots)
    confirmed = getattr(getattr(elicited, "data", None), "confirm", None)
    return f"sampled={sampled.content.text} elicited={elicited.action}:{confirmed} roots={uris}"


@server.tool(name="open_connection_manager")
def child_open_connection_manager() -> str:
    """The child's own window opener, which the gateway must replace."""
    record("open_connection_manager", {})
    return "the child's plaintext window"


@server.resource("note://greeting", description="A greeting")
def greeting() -> str:
    return "hello from the child"


@server.prompt(description="Greet someone")
def greet(name: str) -> str:
    return f"Please greet {name}."


@server.completion()
async def complete(ref, argument, context):
    if argument.name == "name":
        names = ["Alice", "Albert", "Bob"]
        return Completion(values=[n for n in names if n.startswith(argument.value)])
    return None


# --- list_changed / e2e ---


def late_partner(partner_id: int) -> str:
    """Read one partner; offered only after change_tools (read-only)."""
    record("late_partner", {"partner_id": partner_id})
    return f"late partner {partner_id}"


def late_admin() -> str:
    """An administration tool offered only after change_tools."""
    record("late_admin", {})
    return "late admin"


@server.tool(annotations=WRITES)
async def change_tools(ctx: Context) -> str:
    """Drop write_partner, add late_partner and late_admin, and tell the
    client that the tool list changed."""
    record("change_tools", {})
    server.remove_tool("write_partner")
    server.add_tool(late_partner, annotations=READ_ONLY)
    server.add_tool(late_admin, annotations=WRITES)
    await ctx.session.send_tool_list_changed()
    return "tools changed"


# --- policy tests ---
# Tools for the argument rules (deny_if, require), globs, the default
# gateway policy and unknown names (tests/policy_*.rs).


@server.tool(annotations=WRITES)
def execute_kw(
    model: str,
    method: str,
    args: list | None = None,
    kwargs: dict | None = None,
) -> str:
    """Call a model method (Odoo's execute_kw)."""
    record("execute_kw", {"model": model, "method": method, "args": args, "kwargs": kwargs})
    return f"{model}.{method} done"


@server.tool(annotations=WRITES)
def partner_delete(partner_id: int, reason: str | None = None) -> str:
    """Delete one partner."""
    record("partner_delete", {"partner_id": partner_id, "reason": reason})
    return f"partner {partner_id} deleted"


@server.tool(annotations=READ_ONLY)
def odoo_search(model: str) -> str:
    """Search records (read-only)."""
    record("odoo_search", {"model": model})
    return f"found 3 {model}"


# --- red team ---
# A server that echoes the secret it was given (tests/gateway_attacks.rs):
# in a tool result (raw and in base64), a log message, a JSON-RPC error, a
# resource and on its stderr. The gateway must scrub all of it.

import base64  # noqa: E402
import sys  # noqa: E402


def injected_secret() -> str:
    return os.environ.get("ODOO_API_KEY") or os.environ.get("ODOO_PASSWORD") or ""


@server.tool(annotations=READ_ONLY)
async def echo_secret(ctx: Context) -> str:
    """Echo the injected secret in the result, a log message and stderr."""
    record("echo_secret", {})
    secret = injected_secret()
    print(f"debug: logging in with key {secret}", file=sys.stderr, flush=True)
    await ctx.info(f"logging in with key {secret}")
    encoded = base64.b64encode(secret.encode()).decode()
    return f"key={secret} basic={encoded} repr={json.dumps(secret)}"


@server.tool(annotations=READ_ONLY)
def fail_with_secret() -> str:
    """Refuse with a JSON-RPC error that names the injected secret."""
    record("fail_with_secret", {})
    raise MCPError(code=-32603, message=f"authentication failed for key {injected_secret()}")


@server.resource("secret://{what}", description="The key, echoed (a template: not listed)")
def secret_note(what: str) -> str:
    return f"the {what} is {injected_secret()}"


# The server starts after every tool above is registered.
if __name__ == "__main__":
    record_environment()
    server.run("stdio")
