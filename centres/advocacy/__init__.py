"""The advocacy area: who is at risk of losing eligibility and why, and the directory in numbers, for advocates and
editors (DESIGN.md sections 4 and 5)."""
