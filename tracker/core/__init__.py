"""What every feature stands on: clock, calendar, timescales, permissions, audit, registries."""
