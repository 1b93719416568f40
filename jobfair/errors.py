"""Domain errors carry a message a user can read; views turn them into form errors or flashes."""


class DomainError(Exception):
    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field
