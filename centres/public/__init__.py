"""The public directory: what survivors and referrers see, without logging in (DESIGN.md sections 5 and 6)."""
