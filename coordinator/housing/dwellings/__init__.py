"""Dwellings (房屋): where they are, their state and its history, who may read whom."""
