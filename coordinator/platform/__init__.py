"""What every feature stands on: database, settings, errors, words, caches."""
