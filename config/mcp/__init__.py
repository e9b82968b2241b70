"""Model Context Protocol servers (JSON-RPC over POST on the WSGI app)."""
