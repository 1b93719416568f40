"""The audit log: who did what and when (services.record), and the organizers' page."""
