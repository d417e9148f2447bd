"""How a delivery attempt failed: worth retrying, or not."""


class DeliveryError(Exception):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TransientError(DeliveryError):
    """Try again later (SMTP 4xx, timeouts, a webhook's 5xx)."""


class PermanentError(DeliveryError):
    """Retrying will not help (SMTP 5xx for the address, a webhook's 4xx)."""
