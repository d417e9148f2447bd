"""Running Fumin: the `fumin` command, its supervisor, embedded servers, demo data."""
