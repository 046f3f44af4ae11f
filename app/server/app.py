"""The local API's ASGI application (Starlette): routes and handlers.

Endpoints: `GET /health`, `GET /v1/models`, `GET /v1/models/{id}`,
`POST /v1/chat/completions` and `POST /v1/completions` (raw text, no chat
template), each streaming (server-sent events ending with `data: [DONE]`) or
not. Every reply runs in the model host's queue at background priority (see
app.services.host for the fairness rule). Every failure answers in OpenAI's
error shape; an unexpected one is logged and answered with a 500 sentence,
never a traceback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from app.core.types import Channel, Finished, GenerationControl, StreamEvent, TextDelta
from app.server.errors import ApiError, error_body, from_exception
from app.server.guard import Guard
from app.server.pump import ClientGone, ReplyPump
from app.server.requests import Common, parse_chat, parse_completion
from app.server.responses import DONE_EVENT, Reply, model_object, sse
from app.server.state import ApiState
from app.services.host import Priority
from app.services.raw_completion import stream_raw

log = logging.getLogger(__name__)

CLIENT_CLOSED = 499
"""Status logged for a client that left before its answer (nobody reads it)."""

Produce = Callable[[GenerationControl], Iterator[StreamEvent]]


def _state(request: Request) -> ApiState:
    state: ApiState = request.app.state.api
    return state


async def read_json(request: Request, limit: int) -> Any:
    """The body as JSON; 413 over `limit` bytes, 400 when it is not JSON."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"The request body is not valid JSON ({exc}).", "invalid_json") \
            from None


def _too_large(limit: int) -> ApiError:
    return ApiError(413, f"The request body is larger than the limit of {limit // 2**20} MiB.",
                    "request_too_large")


# -- endpoints ------------------------------------------------------------------


async def health(request: Request) -> Response:
    state = _state(request)
    return JSONResponse({"status": "ok", "model_loaded": state.host.loaded is not None,
                         "pending": state.pending})


async def list_models(request: Request) -> Response:
    state = _state(request)
    names = state.names() if state.host.loaded is not None else []
    data = [model_object(n, state.started) for n in names[:1]]
    return JSONResponse({"object": "list", "data": data})


async def get_model(request: Request) -> Response:
    state = _state(request)
    name = state.resolve_model(str(request.path_params["model"]))
    return JSONResponse(model_object(name, state.started))


async def chat_completions(request: Request) -> Response:
    state = _state(request)
    req = parse_chat(await read_json(request, state.config.max_body_bytes))
    model = state.resolve_model(req.common.model)
    options = state.options(req.common.values)

    def produce(control: GenerationControl) -> Iterator[StreamEvent]:
        return state.host.stream(req.messages, options, control, Priority.BACKGROUND)

    return await _respond(request, state, Reply(model, is_chat=True), produce, req.common)


async def completions(request: Request) -> Response:
    state = _state(request)
    req = parse_completion(await read_json(request, state.config.max_body_bytes))
    model = state.resolve_model(req.common.model)
    options = state.options(req.common.values)

    def produce(control: GenerationControl) -> Iterator[StreamEvent]:
        return stream_raw(state.host, req.prompt, options, control, Priority.BACKGROUND)

    prefix = req.prompt if req.echo else ""
    return await _respond(request, state, Reply(model, is_chat=False), produce, req.common,
                          prefix)


# -- one reply ------------------------------------------------------------------


async def _respond(request: Request, state: ApiState, reply: Reply, produce: Produce,
                   common: Common, prefix: str = "") -> Response:
    """Queue the reply; answer it whole or as a stream once its first event is in.

    Waiting for the first event means a request that fails early (a prompt
    too long for the context, no model) gets its proper status code, and a
    client that leaves while queued is dropped from the queue.
    """
    state.admit()
    control = GenerationControl()
    try:
        pump = ReplyPump(lambda: produce(control), control, common.stop, state.release)
    except BaseException:
        state.release()
        raise
    pump.start()
    try:
        first = await pump.next(request.is_disconnected)
    except ClientGone:
        return Response(status_code=CLIENT_CLOSED)
    except Exception as exc:
        raise from_exception(exc) from None
    if common.stream:
        events = _stream(request, pump, reply, first, common.include_usage, prefix)
        return StreamingResponse(events, media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})
    try:
        event = first
        while not isinstance(event, Finished):
            if event is None:
                raise ApiError(500, "The model ended without finishing the reply. Try again.")
            reply.add(event.channel, event.text)
            event = await pump.next(request.is_disconnected)
    except ClientGone:
        return Response(status_code=CLIENT_CLOSED)
    except Exception as exc:
        control.cancel()
        raise from_exception(exc) from None
    return JSONResponse(reply.complete(pump.finish_reason(event), event.stats, prefix))


async def _stream(request: Request, pump: ReplyPump, reply: Reply,
                  first: TextDelta | Finished | None, include_usage: bool,
                  prefix: str) -> AsyncIterator[str]:
    """The server-sent events of one reply; a client that leaves cancels it."""
    try:
        if reply.is_chat:
            yield sse(reply.chunk(None, "", include_usage=include_usage))
        elif prefix:
            yield sse(reply.chunk(Channel.ANSWER, prefix, include_usage=include_usage))
        event = first
        while event is not None:
            if isinstance(event, TextDelta):
                yield sse(reply.chunk(event.channel, event.text, include_usage=include_usage))
            elif isinstance(event, Finished):
                yield sse(reply.chunk(None, "", pump.finish_reason(event), include_usage))
                if include_usage:
                    yield sse(reply.usage_chunk(event.stats))
                break
            event = await pump.next(request.is_disconnected)
        yield DONE_EVENT
    except ClientGone:
        return
    except Exception as exc:  # the status line is sent: report it in the stream
        yield sse(from_exception(exc).body())
        yield DONE_EVENT
    finally:
        # Also when the client went away: the reply stops within one token.
        pump.control.cancel()


# -- the application --------------------------------------------------------------


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body(), status_code=exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"There is no endpoint {request.url.path}. See /v1/models."
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}."
    else:
        message = str(exc.detail)
    return JSONResponse(error_body(exc.status_code, message), status_code=exc.status_code,
                        headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("the API failed on %s", request.url.path, exc_info=exc)
    return JSONResponse(from_exception(exc).body(), status_code=500)


def build_app(state: ApiState) -> Starlette:
    """The ASGI application for one server."""
    middleware = [Middleware(Guard, host_names=lambda: state.config.host_names(state.port),
                             api_key=state.config.api_key)]
    if state.config.cors_origins:
        middleware.insert(0, Middleware(CORSMiddleware,
                                        allow_origins=list(state.config.cors_origins),
                                        allow_methods=["GET", "POST"],
                                        allow_headers=["Authorization", "Content-Type"]))
    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/v1/models", list_models, methods=["GET"]),
        Route("/v1/models/{model:path}", get_model, methods=["GET"]),
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        Route("/v1/completions", completions, methods=["POST"]),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={
        ApiError: _api_error, HTTPException: _http_error, Exception: _unexpected})
    app.state.api = state
    return app
