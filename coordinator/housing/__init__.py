"""Residential survey (排摸): dwellings, blocks, rounds, survey campaigns, the colour board."""
