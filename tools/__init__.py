"""Development tools, not installed with govscore."""
