"""Figures of the joint cases: per department and month, open cases per place, as JSON,
CSV and a page of charts."""
