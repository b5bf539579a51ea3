"""A small fake of Discord's REST API on loopback, enough for discord.py to log in, sync commands
and answer interactions. It records every request (time, method, path, JSON body, files).

discord.py checks ``Content-Type == application/json`` exactly (no charset), expects the callback of
``?with_response=1`` to return ``{"interaction": {...}}``, and parses messages it gets back.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

EPHEMERAL = 1 << 6
TS = "2026-08-21T20:00:00.000000+00:00"


@dataclass
class Request:
    t: float
    method: str
    path: str
    json: Any
    files: list[tuple[str, bytes]] = field(default_factory=list)
    status: int = 200


def _json(payload: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(payload).encode(), status=status, headers={"Content-Type": "application/json"}
    )


class FakeDiscord:
    def __init__(self) -> None:
        self._ids = itertools.count(1_400_000_000_000_000_000)
        self.app_id = str(next(self._ids))
        self.guild_id = str(next(self._ids))
        self.channel_id = str(next(self._ids))
        self.thread_id = str(next(self._ids))
        self.bot_user = {
            "id": self.app_id,
            "username": "rotation-bot",
            "discriminator": "0",
            "bot": True,
            "avatar": None,
            "global_name": None,
            "public_flags": 0,
            "flags": 0,
        }
        self.requests: list[Request] = []
        self.synced: dict[str | None, list[dict]] = {}
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        self.base = ""

    async def start(self) -> str:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}/api/v10"
        return self.base

    async def stop(self) -> None:
        await self._runner.cleanup()

    # -- recording -------------------------------------------------------------------------------

    async def _read(self, request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
        if request.content_type.startswith("multipart/"):
            body, files = None, []
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    files.append((part.filename or "", bytes(await part.read())))
            return body, files
        raw = await request.read()
        return (json.loads(raw) if raw else None), []

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body, files = await self._read(request)
        path = "/" + request.match_info["tail"]
        rec = Request(time.monotonic(), request.method, path, body, files)
        self.requests.append(rec)
        response = self._route(request.method, path.split("/")[1:], body)
        rec.status = response.status
        return response

    def _route(self, method: str, parts: list[str], body: Any) -> web.StreamResponse:
        match method, parts:
            case "GET", ["users", "@me"]:
                return _json(self.bot_user)
            case "GET", ["oauth2", "applications", "@me"]:
                return _json(
                    {
                        "id": self.app_id,
                        "name": "rotation-bot",
                        "description": "",
                        "icon": None,
                        "bot_public": True,
                        "bot_require_code_grant": False,
                        "verify_key": "0" * 64,
                        "flags": 0,
                        "owner": self.bot_user,
                        "team": None,
                        "summary": "",
                    }
                )
            case "PUT", ["applications", _, "commands"]:
                return self._sync(None, body)
            case "PUT", ["applications", _, "guilds", guild, "commands"]:
                return self._sync(guild, body)
            case "POST", ["interactions", iid, _token, "callback"]:
                loading = body["type"] == 5
                ephemeral = bool((body.get("data") or {}).get("flags", 0) & EPHEMERAL)
                return _json(
                    {
                        "interaction": {
                            "id": iid,
                            "type": 2,
                            "response_message_loading": loading,
                            "response_message_ephemeral": ephemeral,
                        }
                    }
                )
            case "POST", ["webhooks", _, _token]:
                return _json(self.message(body))
            case "PATCH", ["webhooks", _, _token, "messages", _]:
                return _json(self.message(body))
            case "DELETE", ["webhooks", _, _token, "messages", _]:
                return web.Response(status=204)
        return _json({"message": "404: Not Found", "code": 0}, 404)

    def _sync(self, guild: str | None, body: list[dict]) -> web.Response:
        echoed = [dict(c, id=str(next(self._ids)), application_id=self.app_id, version="1") for c in body]
        self.synced[guild] = echoed
        return _json(echoed)

    def message(self, body: dict | None) -> dict:
        body = body or {}
        return {
            "id": str(next(self._ids)),
            "channel_id": self.channel_id,
            "type": 20,
            "author": self.bot_user,
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
            "mention_everyone": False,
            "tts": False,
            "timestamp": TS,
            "edited_timestamp": None,
            "flags": body.get("flags", 0),
            "components": [],
            "webhook_id": self.app_id,
            "application_id": self.app_id,
        }

    # -- interactions ----------------------------------------------------------------------------

    def interaction(
        self,
        name: str,
        options: dict[str, str] | None = None,
        *,
        user_id: str = "1300000000000000001",
        in_thread: bool = False,
        app_permissions: int | None = None,
        focused: str | None = None,
    ) -> dict:
        """A raw INTERACTION_CREATE payload: a slash command, or an autocomplete when ``focused``."""
        iid = str(next(self._ids))
        channel = {
            "id": self.thread_id if in_thread else self.channel_id,
            "type": 11 if in_thread else 0,
            "guild_id": self.guild_id,
            "name": "rotation-talk" if in_thread else "general",
            "parent_id": self.channel_id if in_thread else None,
            "permissions": str(ALL_TEXT),
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if in_thread:
            channel |= {
                "owner_id": self.app_id,
                "message_count": 0,
                "member_count": 1,
                "total_message_sent": 0,
            }
            channel["thread_metadata"] = {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": TS,
                "locked": False,
            }
        opts = [
            {"name": k, "type": 3, "value": v, **({"focused": True} if k == focused else {})}
            for k, v in (options or {}).items()
        ]
        user = {
            "id": user_id,
            "username": f"user{user_id[-3:]}",
            "discriminator": "0",
            "avatar": None,
            "global_name": None,
            "public_flags": 0,
        }
        return {
            "id": iid,
            "application_id": self.app_id,
            "type": 4 if focused else 2,
            "token": f"tok-{iid}",
            "version": 1,
            "guild_id": self.guild_id,
            "channel_id": channel["id"],
            "channel": channel,
            "guild": {"id": self.guild_id, "locale": "en-US", "features": []},
            "data": {
                "id": str(next(self._ids)),
                "name": name,
                "type": 1,
                "options": opts,
                "guild_id": self.guild_id,
            },
            "member": {
                "user": user,
                "roles": [],
                "joined_at": TS,
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": str(ALL_TEXT),
                "pending": False,
                "nick": None,
                "avatar": None,
            },
            "app_permissions": str(ALL_TEXT if app_permissions is None else app_permissions),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "context": 0,
            "authorizing_integration_owners": {"0": self.guild_id},
            "attachment_size_limit": 10 * 1024 * 1024,
        }

    def for_interaction(self, payload: dict) -> list[Request]:
        token = payload["token"]
        return [r for r in self.requests if token in r.path]


VIEW, SEND, EMBED, ATTACH, HISTORY, SEND_IN_THREADS = 1 << 10, 1 << 11, 1 << 14, 1 << 15, 1 << 16, 1 << 38
ALL_TEXT = VIEW | SEND | EMBED | ATTACH | HISTORY | SEND_IN_THREADS
