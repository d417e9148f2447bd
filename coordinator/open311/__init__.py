"""Open311 GeoReport v2 at /open311/v2/: the public face of the joint cases, in the
specification's own shapes (JSON and XML), so any Open311 client can list the services,
file a request with an API key and follow it."""
