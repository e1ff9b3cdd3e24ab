"""Business hours: weekly schedule, Brazilian holidays, company dates and business-time arithmetic."""
