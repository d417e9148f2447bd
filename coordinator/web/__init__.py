"""The HTTP kit: declared operations, middleware, request parsing, lists."""
