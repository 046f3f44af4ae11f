"""Errors of the local API, in the OpenAI error shape.

Every failure a client can meet is an `ApiError` with an HTTP status and a
sentence; `error_body` turns it into `{"error": {"message", "type", "param",
"code"}}` as OpenAI's API answers, so clients show the message instead of a
parse failure. Nothing here imports the web framework.
"""

from __future__ import annotations

from typing import Any

from app.core.errors import BackendError, ContextOverflowError, PonderError

ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
    500: "server_error",
    503: "service_unavailable",
}
"""HTTP status -> the error `type` clients see."""


class ApiError(Exception):
    """A request the API refuses or cannot serve.

    Args:
        status: the HTTP status.
        message: one sentence for the client's user, with a next step.
        code: a short machine-readable code (e.g. "model_not_found").
        param: the request field at fault, if one is.
    """

    def __init__(self, status: int, message: str, code: str | None = None,
                 param: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param

    def body(self) -> dict[str, Any]:
        """The JSON body of the error response."""
        return error_body(self.status, self.message, self.code, self.param)


def error_body(status: int, message: str, code: str | None = None,
               param: str | None = None) -> dict[str, Any]:
    """`{"error": {...}}` in OpenAI's shape for an HTTP status."""
    kind = ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


NO_MODEL = ("No model is loaded in Ponder. Load one in the window, or start "
            "`ponder serve --model FILE`.")


def from_exception(exc: BaseException) -> ApiError:
    """The API error for an exception raised while a reply was produced."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, ContextOverflowError):
        return ApiError(400, str(exc), "context_length_exceeded", "messages")
    if isinstance(exc, BackendError) and "No model is loaded" in str(exc):
        return ApiError(503, NO_MODEL, "model_not_loaded")
    if isinstance(exc, BackendError) and "unloaded" in str(exc):
        return ApiError(503, "The model was switched while this request ran. Send it again.",
                        "model_switched")
    if isinstance(exc, PonderError):
        return ApiError(500, str(exc), "generation_failed")
    return ApiError(500, "The server failed while answering; the details are in Ponder's log.",
                    "internal_error")
