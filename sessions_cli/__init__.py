"""The ``sessions`` command: operator commands against a table (create, validate, list,
revoke, erase, cleanup, keys) and ``serve``, which starts the local development server
(`sessions_local`). Never deployed."""
