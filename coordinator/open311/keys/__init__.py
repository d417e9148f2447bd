"""API keys of Open311 clients: issued, listed and revoked by an admin."""
