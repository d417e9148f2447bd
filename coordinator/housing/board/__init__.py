"""The colour board (排查表): every dwelling of an area as a cell coloured by its state."""
