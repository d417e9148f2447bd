"""Blocks (块/包干区): an area cut into parts walked by one leader each, by building and
unit (every unit in one block at most, every dwelling's unit in one), and who leads and
deputises each, over time."""
