"""The service layer: the only place where the tutor domain, the model and the database meet.

Every function takes a ``Database``, ids and plain values, runs in its own transaction, and returns
plain frozen dataclasses, so the web UI, the HTTP API, the workers and the CLI all call the same code.
Failures a user can fix raise a ``ServiceError`` subclass with a message meant for that user.
"""
