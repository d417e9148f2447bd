"""Photos: images checked, cleaned of their metadata and kept, for other features to attach."""
