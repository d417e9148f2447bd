"""Working time: the work calendar (public holidays, make-up working days) and deadlines
counted in working hours and working days."""
